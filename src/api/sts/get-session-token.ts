import type { OperationHandler } from '../operation.js';
import { iamScope } from '../iam/iam-shapes.js';
import type { StsApiDeps } from './sts-deps.js';
import { credentialsShape, stsCaller } from './sts-caller.js';

/** GetSessionToken: temporary credentials for the caller itself. */
export function getSessionToken({ directory }: StsApiDeps): OperationHandler {
  return async (ctx, input) => {
    const { credentials, expiresAt } = await directory.sessions.sessionToken(iamScope(ctx), stsCaller(ctx), input.DurationSeconds as number | undefined);
    return { Credentials: credentialsShape(credentials, expiresAt) };
  };
}
