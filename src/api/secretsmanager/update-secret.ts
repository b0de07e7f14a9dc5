import type { OperationHandler } from '../operation.js';
import type { UpdateSecretInput } from '../../secrets/secret-types.js';
import type { SecretsApiDeps } from './deps.js';
import { withBinary } from './request-values.js';

export const updateSecret = (deps: SecretsApiDeps): OperationHandler => async (ctx, input) =>
  deps.secrets.update(ctx.scope, withBinary(input) as unknown as UpdateSecretInput);
