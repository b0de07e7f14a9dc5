import type { OperationHandler } from '../operation.js';
import type { RotateSecretInput } from '../../rotation/rotation-service.js';
import type { SecretsApiDeps } from './deps.js';

export const rotateSecret = (deps: SecretsApiDeps): OperationHandler => async (ctx, input) =>
  deps.rotation.rotate(ctx.scope, input as unknown as RotateSecretInput);

export const cancelRotateSecret = (deps: SecretsApiDeps): OperationHandler => async (ctx, input) =>
  deps.rotation.cancel(ctx.scope, input.SecretId as string);
