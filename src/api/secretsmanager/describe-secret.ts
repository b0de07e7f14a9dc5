import type { OperationHandler } from '../operation.js';
import type { SecretsApiDeps } from './deps.js';
import { describeSecretShape } from './secret-shapes.js';

export const describeSecret = (deps: SecretsApiDeps): OperationHandler => async (ctx, input) =>
  describeSecretShape(await deps.reader.describe(ctx.scope, input.SecretId as string));
