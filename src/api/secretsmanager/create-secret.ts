import type { OperationHandler } from '../operation.js';
import type { CreateSecretInput } from '../../secrets/secret-types.js';
import type { SecretsApiDeps } from './deps.js';
import { withBinary } from './request-values.js';
import { newSecretTarget } from './secret-authorization.js';

/** Authorized against the ARN the secret will get, which it then gets. */
export const createSecret = (deps: SecretsApiDeps): OperationHandler => async (ctx, input) => {
  const { target, arn } = await newSecretTarget(deps, ctx, input);
  await ctx.authorize(target);
  return deps.secrets.create(ctx.scope, withBinary(input) as unknown as CreateSecretInput, arn);
};
