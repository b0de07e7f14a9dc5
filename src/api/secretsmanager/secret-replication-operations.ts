import type { ReplicaRegionInput, ReplicationResult } from '../../secrets/replication-service.js';
import type { Handlers } from '../operation.js';
import type { SecretsApiDeps } from './secrets-manager-deps.js';
import { replicationStatus } from './secret-responses.js';
import type { Operations, ReplicateSecretToRegionsResponse } from './types.generated.js';

const replicationResponse = (result: ReplicationResult): ReplicateSecretToRegionsResponse => ({
  ARN: result.ARN,
  ReplicationStatus: result.replication.map(replicationStatus),
});

/** ReplicateSecretToRegions, RemoveRegionsFromReplication and StopReplicationToReplica. */
export function secretReplicationOperations(deps: SecretsApiDeps): Handlers<Operations> {
  return {
    ReplicateSecretToRegions: async (ctx, input) =>
      // The model leaves a replica's Region optional.
      replicationResponse(await deps.replication.replicate(ctx.scope, { ...input, AddReplicaRegions: input.AddReplicaRegions as ReplicaRegionInput[] })),
    RemoveRegionsFromReplication: async (ctx, input) => replicationResponse(await deps.replication.remove(ctx.scope, input)),
    StopReplicationToReplica: async (ctx, input) => deps.replication.stop(ctx.scope, input.SecretId),
  };
}
