import type { OperationHandler } from '../operation.js';
import type { SecretsApiDeps } from './deps.js';

export const untagResource = (deps: SecretsApiDeps): OperationHandler => async (ctx, input) => {
  await deps.secrets.untag(ctx.scope, input.SecretId as string, input.TagKeys as string[]);
  return undefined;
};
