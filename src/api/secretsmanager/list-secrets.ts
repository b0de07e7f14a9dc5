import type { OperationHandler } from '../operation.js';
import type { ListInput } from '../../secrets/secret-reader.js';
import type { SecretsApiDeps } from './deps.js';
import { secretListEntryShape } from './secret-shapes.js';

export const listSecrets = (deps: SecretsApiDeps): OperationHandler => async (ctx, input) => {
  const page = await deps.reader.list(ctx.scope, input as ListInput);
  return { SecretList: page.entries.map(secretListEntryShape), NextToken: page.nextToken };
};
