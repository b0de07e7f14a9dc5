import type { OperationHandler } from '../operation.js';
import type { PutSecretValueInput } from '../../secrets/secret-types.js';
import type { SecretsApiDeps } from './deps.js';
import { withBinary } from './request-values.js';

export const putSecretValue = (deps: SecretsApiDeps): OperationHandler => async (ctx, input) =>
  deps.secrets.putValue(ctx.scope, withBinary(input) as unknown as PutSecretValueInput);
