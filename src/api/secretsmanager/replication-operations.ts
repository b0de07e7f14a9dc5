import type { OperationHandler } from '../operation.js';
import type { ReplicaRegionInput, ReplicationResult } from '../../secrets/replication-service.js';
import type { SecretsApiDeps } from './deps.js';
import { replicationStatusShape } from './secret-shapes.js';

const replicationShape = (result: ReplicationResult) => ({ ARN: result.ARN, ReplicationStatus: result.replication.map(replicationStatusShape) });

/** ReplicateSecretToRegions, RemoveRegionsFromReplication and StopReplicationToReplica. */
export function replicationOperations(deps: SecretsApiDeps): Record<string, OperationHandler> {
  return {
    ReplicateSecretToRegions: async (ctx, input) =>
      replicationShape(
        await deps.replication.replicate(ctx.scope, input as { SecretId: string; AddReplicaRegions: ReplicaRegionInput[]; ForceOverwriteReplicaSecret?: boolean }),
      ),
    RemoveRegionsFromReplication: async (ctx, input) =>
      replicationShape(await deps.replication.remove(ctx.scope, input as { SecretId: string; RemoveReplicaRegions: string[] })),
    StopReplicationToReplica: async (ctx, input) => deps.replication.stop(ctx.scope, input.SecretId as string),
  };
}
