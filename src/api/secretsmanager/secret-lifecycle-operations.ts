import type { CreateSecretInput } from '../../secrets/secret-types.js';
import type { Handlers } from '../operation.js';
import { seconds } from '../epoch-seconds.js';
import type { SecretsApiDeps } from './secrets-manager-deps.js';
import { withBinary, withFilters } from './request-values.js';
import { newSecretTargets } from './secret-authorization.js';
import { describeSecretResponse, replicationStatus, secretListEntry } from './secret-responses.js';
import type { Operations } from './types.generated.js';

/** CreateSecret, DescribeSecret, ListSecrets, UpdateSecret, DeleteSecret, RestoreSecret. */
export function secretLifecycleOperations(deps: SecretsApiDeps): Handlers<Operations> {
  return {
    // Authorized against the ARN the secret will get, which it then gets.
    CreateSecret: async (ctx, input) => {
      const { targets, arn } = await newSecretTargets(deps, ctx, input);
      for (const target of targets) await ctx.authorize(target);
      // The model leaves a tag's Key and a replica's Region optional; the domain refuses what lacks them.
      const { replication, ...created } = await deps.secrets.create(ctx.scope, withBinary(input) as CreateSecretInput, arn);
      return { ...created, ReplicationStatus: replication?.map(replicationStatus) };
    },
    DescribeSecret: async (ctx, input) => describeSecretResponse(await deps.reader.describe(ctx.scope, input.SecretId)),
    ListSecrets: async (ctx, input) => {
      const page = await deps.reader.list(ctx.scope, withFilters(input));
      return { SecretList: page.entries.map(secretListEntry), NextToken: page.nextToken };
    },
    UpdateSecret: async (ctx, input) => deps.secrets.update(ctx.scope, withBinary(input)),
    DeleteSecret: async (ctx, input) => {
      const result = await deps.secrets.delete(ctx.scope, input);
      return { ARN: result.ARN, Name: result.Name, DeletionDate: seconds(result.DeletionDate) };
    },
    RestoreSecret: async (ctx, input) => deps.secrets.restore(ctx.scope, input.SecretId),
  };
}
