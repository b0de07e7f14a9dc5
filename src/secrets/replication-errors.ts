import { SecretsErrors } from '../errors/service-error.js';

/** What AWS answers (and reports in ReplicationStatus) about replication. */
export const ReplicationErrors = {
  /** Any change to a replica but its key: AWS's message does not name the region. */
  notPermittedOnReplica: () => SecretsErrors.invalidParameter("Operation not permitted on a replica secret. Call must be made in primary secret's region."),
  /** A replica in the primary's own region, or a region named twice. */
  invalidRegion: () => SecretsErrors.invalidParameter('Invalid replica region.'),
  stillReplicated: (arn: string, regions: string[]) =>
    SecretsErrors.invalidParameter(`You can't delete secret ${arn} that still has replica regions [${regions.join(', ')}].`),
  alreadyReplicated: (arn: string, region: string) =>
    SecretsErrors.invalidParameter(`Secret ${arn} is already replicated to region ${region}. Use ForceOverwriteReplicaSecret to replicate it again.`),
  notAReplica: (arn: string) => SecretsErrors.invalidParameter(`Secret ${arn} is not a replica secret.`),
};

/** ReplicationStatus messages. */
export const ReplicationMessages = {
  succeeded: 'Replication succeeded',
  nameExists: 'Secret with this name already exists in this region',
};
