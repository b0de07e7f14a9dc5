import type { OperationHandler } from '../operation.js';
import type { SecretsApiDeps } from './deps.js';
import { secretValueShape } from './secret-shapes.js';

export const getSecretValue = (deps: SecretsApiDeps): OperationHandler => async (ctx, input) =>
  secretValueShape(
    await deps.reader.getValue(ctx.scope, input as { SecretId: string; VersionId?: string; VersionStage?: string }),
  );
