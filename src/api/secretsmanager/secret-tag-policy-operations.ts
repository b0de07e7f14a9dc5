import { acceptResourcePolicy, checkResourcePolicy } from '../../secrets/resource-policy.js';
import { unpackPolicy } from '../../secrets/principal-bindings.js';
import type { Tag } from '../../storage/index.js';
import { emptyResponse, type Handlers } from '../operation.js';
import type { SecretsApiDeps } from './secrets-manager-deps.js';
import type { Operations } from './types.generated.js';

/** TagResource, UntagResource, PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy, ValidateResourcePolicy. */
export function secretTagPolicyOperations(deps: SecretsApiDeps): Handlers<Operations> {
  return {
    // The model leaves a tag's Key and Value optional; the domain refuses an empty key and takes no value as ''.
    TagResource: emptyResponse((ctx, input) => deps.secrets.tag(ctx.scope, input.SecretId, input.Tags as Tag[])),
    UntagResource: emptyResponse((ctx, input) => deps.secrets.untag(ctx.scope, input.SecretId, input.TagKeys)),
    PutResourcePolicy: async (ctx, input) =>
      deps.secrets.setResourcePolicy(ctx.scope, input.SecretId, acceptResourcePolicy(input.ResourcePolicy, input.BlockPublicPolicy === true)),
    GetResourcePolicy: async (ctx, input) => {
      const { secret } = await deps.reader.describe(ctx.scope, input.SecretId);
      const stored = secret.resourcePolicy;
      return { ARN: secret.arn, Name: secret.name, ResourcePolicy: stored === undefined ? undefined : unpackPolicy(stored).document };
    },
    DeleteResourcePolicy: async (ctx, input) => deps.secrets.setResourcePolicy(ctx.scope, input.SecretId, undefined),
    ValidateResourcePolicy: async (ctx, input) => {
      // With a SecretId the secret must exist, as it would for PutResourcePolicy.
      if (input.SecretId !== undefined) await deps.reader.describe(ctx.scope, input.SecretId);
      const problems = checkResourcePolicy(input.ResourcePolicy);
      return {
        PolicyValidationPassed: problems.length === 0,
        ValidationErrors: problems.map((p) => ({ CheckName: p.checkName, ErrorMessage: p.message })),
      };
    },
  };
}
