import type { OperationHandler } from '../operation.js';
import type { SecretFilter } from '../../secrets/list-filters.js';
import type { SecretsApiDeps } from './deps.js';
import { secretValueShape } from './secret-shapes.js';
import { secretTargets } from './secret-authorization.js';

/** Each secret needs GetSecretValue; one the caller may not read is reported in Errors, as AWS does. */
export const batchGetSecretValue = (deps: SecretsApiDeps): OperationHandler => async (ctx, input) => {
  const result = await deps.reader.batchGet(
    ctx.scope,
    input as { SecretIdList?: string[]; Filters?: SecretFilter[]; MaxResults?: number; NextToken?: string },
    async (secretId) => {
      const [secret, ...key] = await secretTargets(deps, ctx, 'GetSecretValue', secretId);
      await ctx.authorize({ ...secret!, action: 'secretsmanager:GetSecretValue' });
      for (const target of key) await ctx.authorize(target);
    },
  );
  return { SecretValues: result.values.map(secretValueShape), Errors: result.errors, NextToken: result.nextToken };
};
