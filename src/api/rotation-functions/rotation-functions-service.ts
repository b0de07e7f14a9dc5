import { ServiceError } from '../../errors/service-error.js';
import type { IssuedRotationFunction, RotationFunctionService } from '../../rotation/rotation-function-service.js';
import type { RotationFunctionRecord } from '../../storage/index.js';
import { seconds } from '../epoch-seconds.js';
import { emptyResponse, type JsonService, type OperationHandler, type RequestContext } from '../operation.js';
import { operations, shapes, signingName, targetPrefix } from './rotation-functions-model.js';

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

function functionShape(fn: RotationFunctionRecord) {
  return {
    FunctionName: fn.name,
    FunctionArn: fn.arn,
    Kind: fn.kind,
    Url: fn.url,
    Command: fn.command,
    TimeoutSeconds: fn.timeoutSeconds,
    Role: fn.roleArn,
    CreatedDate: seconds(fn.createdAt),
    LastModifiedDate: seconds(fn.updatedAt),
  };
}

/** The signing key appears in this one response and nowhere else. */
function issuedShape({ fn, signingKey }: IssuedRotationFunction) {
  return { ...functionShape(fn), SigningKey: signingKey?.toString('base64') };
}

const settings = (input: Record<string, unknown>) => ({
  kind: input.Kind as string | undefined,
  url: input.Url as string | undefined,
  command: input.Command as string | undefined,
  timeoutSeconds: input.TimeoutSeconds as number | undefined,
  role: input.Role as string | undefined,
});

export function rotationFunctionsService({ functions }: { functions: RotationFunctionService }): JsonService {
  const handlers: Record<string, OperationHandler> = {
    CreateRotationFunction: async (ctx, input) =>
      issuedShape(await functions.create(ctx.scope, { ...settings(input), name: input.FunctionName as string, kind: input.Kind as string })),
    GetRotationFunction: async (ctx, input) => functionShape(await functions.get(ctx.scope, input.FunctionName as string)),
    ListRotationFunctions: async (ctx) => ({ Functions: (await functions.list(ctx.scope)).map(functionShape) }),
    UpdateRotationFunction: async (ctx, input) =>
      issuedShape(
        await functions.update(ctx.scope, input.FunctionName as string, { ...settings(input), rotateSigningKey: input.RotateSigningKey as boolean | undefined }),
      ),
    DeleteRotationFunction: emptyResponse((ctx, input) => functions.delete(ctx.scope, input.FunctionName as string)),
  };
  const guarded = (handler: OperationHandler): OperationHandler => async (ctx, input) => {
    requireRoot(ctx);
    return handler(ctx, input);
  };
  return { targetPrefix, signingName, shapes, operations, handlers: Object.fromEntries(Object.entries(handlers).map(([name, h]) => [name, guarded(h)])) };
}
