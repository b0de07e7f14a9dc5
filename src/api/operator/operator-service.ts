import type { RootKeyManager } from '../../keys/root-key-manager.js';
import { ServiceError } from '../../errors/service-error.js';
import type { ProviderKind, RootKeyProvider } from '../../keys/root-key-providers.js';
import { cofferService, type ApiService, type OperationHandler, type RequestContext } from '../operation.js';
import type { FileAnswer } from '../file-answer.js';
import * as model from './operator-model.js';

export interface OperatorApiDeps {
  rootKeys: RootKeyManager;
  /** Builds the provider a rotation moves to. */
  rootKeyProvider(request: {
    rootKeyProvider: ProviderKind;
    rootPassphrase?: string;
    rootKms?: { keyId?: string; endpoint?: string; region?: string };
  }): RootKeyProvider;
  /** A backup of the data directory, as a file to send; absent where the data is not in one (--dev, PostgreSQL). */
  backup?: () => Promise<FileAnswer>;
}

/** Only the account's root principal may seal the server or replace its root key. */
function requireRoot(ctx: RequestContext): void {
  if (!ctx.principalArn?.endsWith(':root')) {
    throw new ServiceError('AccessDeniedException', `User: ${ctx.principalArn} is not authorized to perform operator actions`, {
      messageKey: 'message',
    });
  }
}

/**
 * Seal status, Shamir initialization, unseal, seal and root key rotation.
 * Status, init and unseal answer a sealed server without a signature: the
 * access keys that signatures are checked against are themselves sealed, and
 * the shares or the passphrase are the proof of authority.
 */
export function operatorService({ rootKeys, rootKeyProvider, backup }: OperatorApiDeps): ApiService {
  const handlers: Record<string, OperationHandler> = {
    GetSealStatus: async () => rootKeys.status(),
    Initialize: async (_ctx, input) => ({ Shares: await rootKeys.initialize(input.Shares as number, input.Threshold as number) }),
    Unseal: async (_ctx, input) =>
      rootKeys.unseal({ share: input.Share as string | undefined, passphrase: input.Passphrase as string | undefined, nonce: input.Nonce as string | undefined }),
    Seal: async (ctx) => {
      requireRoot(ctx);
      await rootKeys.seal();
      return rootKeys.status();
    },
    RotateRootKey: async (ctx, input) => {
      requireRoot(ctx);
      const status = await rootKeys.status();
      const kind = (input.Provider as ProviderKind | undefined) ?? status.provider;
      const target = rootKeyProvider({
        rootKeyProvider: kind,
        rootPassphrase: input.Passphrase as string | undefined,
        rootKms: { keyId: input.KmsKeyId as string, endpoint: input.KmsEndpoint as string, region: input.KmsRegion as string },
      });
      const split = input.Shares === undefined ? undefined : { shares: input.Shares as number, threshold: input.Threshold as number };
      const shares = await rootKeys.rotate(target, split, kind === 'passphrase' ? (input.Passphrase as string | undefined) : undefined);
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
  return cofferService(model, { audit: { eventSource: 'operator.coffer' }, handlers, unauthenticated: new Set(['GetSealStatus', 'Initialize', 'Unseal']) });
}
