import { ServiceError } from '../../errors/service-error.js';
import type { RotationFunctionsApiDeps } from './rotation-functions-deps.js';
import { cofferService, handlerTable, type ApiService, type OperationHandler, type RequestContext } from '../operation.js';
import { rotationFunctionOperations } from './rotation-functions-operations.js';
import * as model from './rotation-functions-model.js';

/**
 * A function's command runs on the server with the secret it rotates: only
 * the account's root principal manages them, not a key scoped to one secret.
 * (In --dev mode nobody is authenticated and there is no principal to check.)
 */
function requireRoot(ctx: RequestContext): void {
  if (ctx.principalArn !== undefined && !ctx.principalArn.endsWith(':root')) {
    throw new ServiceError('AccessDeniedException', `User: ${ctx.principalArn} is not authorized to manage rotation functions`, {
      messageKey: 'message',
    });
  }
}

/** Coffer's API for the rotation functions a secret's RotationLambdaARN names; each operation for the root principal only. */
export function rotationFunctionsService(deps: RotationFunctionsApiDeps): ApiService {
  const guarded = (handler: OperationHandler): OperationHandler => async (ctx, input) => {
    requireRoot(ctx);
    return handler(ctx, input);
  };
  const handlers = handlerTable<model.Operations>(rotationFunctionOperations(deps));
  return cofferService(model, {
    audit: { eventSource: 'rotation-functions.coffer' },
    handlers: Object.fromEntries(Object.entries(handlers).map(([name, h]) => [name, guarded(h)])),
  });
}
