import { generateRandomPassword } from '../../secrets/random-password.js';
import type { Handlers } from '../operation.js';
import type { SecretsApiDeps } from './secrets-manager-deps.js';
import { withBinary, withFilters } from './request-values.js';
import { secretTargets } from './secret-authorization.js';
import { secretValueEntry, secretVersionsListEntry } from './secret-responses.js';
import type { Operations } from './types.generated.js';

/** GetSecretValue, BatchGetSecretValue, PutSecretValue, ListSecretVersionIds, UpdateSecretVersionStage, GetRandomPassword. */
export function secretValueOperations(deps: SecretsApiDeps): Handlers<Operations> {
  return {
    GetSecretValue: async (ctx, input) => secretValueEntry(await deps.reader.getValue(ctx.scope, input)),
    // Each secret needs GetSecretValue; one the caller may not read is reported in Errors, as AWS does.
    BatchGetSecretValue: async (ctx, input) => {
      const result = await deps.reader.batchGet(ctx.scope, withFilters(input), async (secretId) => {
        const [secret, ...key] = await secretTargets(deps, ctx, 'GetSecretValue', secretId);
        await ctx.authorize({ ...secret!, action: 'secretsmanager:GetSecretValue' });
        for (const target of key) await ctx.authorize(target);
      });
      return { SecretValues: result.values.map(secretValueEntry), Errors: result.errors, NextToken: result.nextToken };
    },
    PutSecretValue: async (ctx, input) => deps.secrets.putValue(ctx.scope, withBinary(input)),
    ListSecretVersionIds: async (ctx, input) => {
      const page = await deps.reader.listVersions(ctx.scope, input);
      return {
        Versions: page.versions.map(secretVersionsListEntry),
        NextToken: page.nextToken,
        ARN: page.secret.arn,
        Name: page.secret.name,
      };
    },
    UpdateSecretVersionStage: async (ctx, input) => deps.secrets.updateVersionStage(ctx.scope, input),
    GetRandomPassword: async (_ctx, input) => ({ RandomPassword: generateRandomPassword(input) }),
  };
}
