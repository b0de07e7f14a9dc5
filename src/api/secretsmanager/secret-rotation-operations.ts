import type { Handlers } from '../operation.js';
import type { SecretsApiDeps } from './secrets-manager-deps.js';
import type { Operations } from './types.generated.js';

/** RotateSecret and CancelRotateSecret. */
export function secretRotationOperations(deps: SecretsApiDeps): Handlers<Operations> {
  return {
    RotateSecret: async (ctx, input) => deps.rotation.rotate(ctx.scope, input),
    CancelRotateSecret: async (ctx, input) => deps.rotation.cancel(ctx.scope, input.SecretId),
  };
}
