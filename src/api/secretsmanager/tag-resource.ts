import type { OperationHandler } from '../operation.js';
import type { Tag } from '../../storage/index.js';
import type { SecretsApiDeps } from './deps.js';

export const tagResource = (deps: SecretsApiDeps): OperationHandler => async (ctx, input) => {
  await deps.secrets.tag(ctx.scope, input.SecretId as string, input.Tags as Tag[]);
  return undefined;
};
