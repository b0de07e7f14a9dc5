import { ServiceError } from '../../errors/service-error.js';
import type { Handlers, RequestContext } from '../operation.js';
import type { OperatorApiDeps } from './operator-deps.js';
import type { Operations } from './operator-model.js';

/** Only the account's root principal may seal the server or replace its root key. */
function requireRoot(ctx: RequestContext): void {
  if (!ctx.principalArn?.endsWith(':root')) {
    throw new ServiceError('AccessDeniedException', `User: ${ctx.principalArn} is not authorized to perform operator actions`, {
      messageKey: 'message',
    });
  }
}

/** GetSealStatus, Initialize, Unseal, Seal, RotateRootKey, CreateBackup. */
export function operatorOperations({ rootKeys, rootKeyProvider, backup }: OperatorApiDeps): Handlers<Operations> {
  return {
    GetSealStatus: async () => rootKeys.status(),
    Initialize: async (_ctx, input) => ({ Shares: await rootKeys.initialize(input.Shares, input.Threshold) }),
    Unseal: async (_ctx, input) => rootKeys.unseal({ share: input.Share, passphrase: input.Passphrase, nonce: input.Nonce }),
    Seal: async (ctx) => {
      requireRoot(ctx);
      await rootKeys.seal();
      return rootKeys.status();
    },
    RotateRootKey: async (ctx, input) => {
      requireRoot(ctx);
      const status = await rootKeys.status();
      const kind = input.Provider ?? status.provider;
      const target = rootKeyProvider({
        rootKeyProvider: kind,
        rootPassphrase: input.Passphrase,
        rootKms: { keyId: input.KmsKeyId, endpoint: input.KmsEndpoint, region: input.KmsRegion },
      });
      const split = input.Shares === undefined ? undefined : { shares: input.Shares, threshold: input.Threshold! };
      const shares = await rootKeys.rotate(target, split, kind === 'passphrase' ? input.Passphrase : undefined);
      return { Provider: kind, Shares: shares };
    },
    CreateBackup: async (ctx) => {
      requireRoot(ctx);
      if (!backup) {
        throw new ServiceError('InvalidRequestException', 'This server keeps no data directory to back up (--dev, or data in PostgreSQL: back that database up with its own tools).', { messageKey: 'message' });
      }
      return backup();
    },
  };
}
