import type { IssuedRotationFunction } from '../../rotation/rotation-function-service.js';
import type { RotationFunctionsApiDeps } from './rotation-functions-deps.js';
import type { RotationFunctionRecord } from '../../storage/index.js';
import { seconds } from '../epoch-seconds.js';
import { emptyResponse, type Handlers } from '../operation.js';
import type { CreateRotationFunctionRequest, Operations, RotationFunction, IssuedRotationFunction as IssuedFunction } from './rotation-functions-model.js';

function rotationFunction(fn: RotationFunctionRecord): RotationFunction {
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
function issuedFunction({ fn, signingKey }: IssuedRotationFunction): IssuedFunction {
  return { ...rotationFunction(fn), SigningKey: signingKey?.toString('base64') };
}

const settings = (input: Partial<CreateRotationFunctionRequest>) => ({
  kind: input.Kind,
  url: input.Url,
  command: input.Command,
  timeoutSeconds: input.TimeoutSeconds,
  role: input.Role,
});

/** CreateRotationFunction, GetRotationFunction, ListRotationFunctions, UpdateRotationFunction, DeleteRotationFunction. */
export function rotationFunctionOperations({ functions }: RotationFunctionsApiDeps): Handlers<Operations> {
  return {
    CreateRotationFunction: async (ctx, input) =>
      issuedFunction(await functions.create(ctx.scope, { ...settings(input), name: input.FunctionName, kind: input.Kind })),
    GetRotationFunction: async (ctx, input) => rotationFunction(await functions.get(ctx.scope, input.FunctionName)),
    ListRotationFunctions: async (ctx) => ({ Functions: (await functions.list(ctx.scope)).map(rotationFunction) }),
    UpdateRotationFunction: async (ctx, input) =>
      issuedFunction(await functions.update(ctx.scope, input.FunctionName, { ...settings(input), rotateSigningKey: input.RotateSigningKey })),
    DeleteRotationFunction: emptyResponse((ctx, input) => functions.delete(ctx.scope, input.FunctionName)),
  };
}
