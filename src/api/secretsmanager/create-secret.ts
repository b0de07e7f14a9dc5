import type { OperationHandler } from '../operation.js';
import type { CreateSecretInput } from '../../secrets/secret-types.js';
import type { SecretsApiDeps } from './deps.js';
import { withBinary } from './request-values.js';

export const createSecret = (deps: SecretsApiDeps): OperationHandler => async (ctx, input) =>
  deps.secrets.create(ctx.scope, withBinary(input) as unknown as CreateSecretInput);
