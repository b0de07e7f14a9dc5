import { acceptResourcePolicy, checkResourcePolicy } from '../../secrets/resource-policy.js';
import { unpackPolicy } from '../../secrets/principal-bindings.js';
import type { OperationHandler } from '../operation.js';
import type { SecretsApiDeps } from './deps.js';

/** PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy and ValidateResourcePolicy. */
export function resourcePolicyOperations(deps: SecretsApiDeps): Record<string, OperationHandler> {
  return {
    PutResourcePolicy: async (ctx, input) =>
      deps.secrets.setResourcePolicy(
        ctx.scope,
        input.SecretId as string,
        acceptResourcePolicy(input.ResourcePolicy as string, input.BlockPublicPolicy === true),
      ),
    GetResourcePolicy: async (ctx, input) => {
      const { secret } = await deps.reader.describe(ctx.scope, input.SecretId as string);
      const stored = secret.resourcePolicy;
      return { ARN: secret.arn, Name: secret.name, ResourcePolicy: stored === undefined ? undefined : unpackPolicy(stored).document };
    },
    DeleteResourcePolicy: async (ctx, input) => deps.secrets.setResourcePolicy(ctx.scope, input.SecretId as string, undefined),
    ValidateResourcePolicy: async (ctx, input) => {
      // With a SecretId the secret must exist, as it would for PutResourcePolicy.
      if (input.SecretId !== undefined) await deps.reader.describe(ctx.scope, input.SecretId as string);
      const problems = checkResourcePolicy(input.ResourcePolicy as string);
      return {
        PolicyValidationPassed: problems.length === 0,
        ValidationErrors: problems.map((p) => ({ CheckName: p.checkName, ErrorMessage: p.message })),
      };
    },
  };
}
