import type { OperationHandler } from '../operation.js';
import type { SecretsApiDeps } from './deps.js';

export const updateSecretVersionStage = (deps: SecretsApiDeps): OperationHandler => async (ctx, input) =>
  deps.secrets.updateVersionStage(
    ctx.scope,
    input as { SecretId: string; VersionStage: string; RemoveFromVersionId?: string; MoveToVersionId?: string },
  );
