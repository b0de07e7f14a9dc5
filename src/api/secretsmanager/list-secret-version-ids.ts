import type { OperationHandler } from '../operation.js';
import type { SecretsApiDeps } from './deps.js';
import { versionEntryShape } from './secret-shapes.js';

export const listSecretVersionIds = (deps: SecretsApiDeps): OperationHandler => async (ctx, input) => {
  const page = await deps.reader.listVersions(
    ctx.scope,
    input as { SecretId: string; MaxResults?: number; NextToken?: string; IncludeDeprecated?: boolean },
  );
  return {
    Versions: page.versions.map(versionEntryShape),
    NextToken: page.nextToken,
    ARN: page.secret.arn,
    Name: page.secret.name,
  };
};
