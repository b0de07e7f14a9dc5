import type { OperationHandler } from '../operation.js';
import type { SecretsApiDeps } from './deps.js';

export const restoreSecret = (deps: SecretsApiDeps): OperationHandler => async (ctx, input) =>
  deps.secrets.restore(ctx.scope, input.SecretId as string);
