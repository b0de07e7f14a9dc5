import type { OperationHandler } from '../operation.js';
import type { SecretsApiDeps } from './deps.js';
import { seconds } from './secret-shapes.js';

export const deleteSecret = (deps: SecretsApiDeps): OperationHandler => async (ctx, input) => {
  const result = await deps.secrets.delete(
    ctx.scope,
    input as { SecretId: string; RecoveryWindowInDays?: number; ForceDeleteWithoutRecovery?: boolean },
  );
  return { ARN: result.ARN, Name: result.Name, DeletionDate: seconds(result.DeletionDate) };
};
