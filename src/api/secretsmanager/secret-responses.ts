import type { SecretWithStages } from '../../secrets/secret-reader.js';
import type { SecretValueOutput } from '../../secrets/secret-types.js';
import { versionsToStages } from '../../secrets/staging-labels.js';
import type { SecretRecord, VersionRecord } from '../../storage/index.js';
import { primaryRegionOf, type ReplicaView } from '../../secrets/replica-views.js';
import { DEFAULT_KEY_ALIAS } from '../../secrets/secret-cipher.js';
import { seconds } from '../epoch-seconds.js';
import type {
  DescribeSecretResponse,
  ReplicationStatusType,
  SecretListEntry,
  SecretValueEntry,
  SecretVersionsListEntry,
} from './types.generated.js';

function nonEmpty<T>(items: T[]): T[] | undefined {
  return items.length ? items : undefined;
}

/** A replica in ReplicationStatus; its key as the request named it, the default one as AWS names it. */
export function replicationStatus(replica: ReplicaView): ReplicationStatusType {
  return {
    Region: replica.region,
    KmsKeyId: replica.kmsKeyId ?? DEFAULT_KEY_ALIAS,
    Status: replica.status,
    StatusMessage: replica.statusMessage,
    LastAccessedDate: seconds(replica.lastAccessedAt),
  };
}

/** The members DescribeSecret and a SecretListEntry share. */
function secretMetadata({ secret }: SecretWithStages): SecretListEntry & DescribeSecretResponse {
  return {
    ARN: secret.arn,
    Name: secret.name,
    // AWS leaves an empty description out.
    Description: secret.description || undefined,
    KmsKeyId: secret.kmsKeyArn,
    LastChangedDate: seconds(secret.lastChangedAt),
    LastAccessedDate: seconds(secret.lastAccessedAt),
    DeletedDate: seconds(secret.deletedAt),
    // A secret never tagged has no Tags; one whose tags were all removed has `[]`.
    Tags: secret.tagged ? secret.tags : nonEmpty(secret.tags),
    CreatedDate: seconds(secret.createdAt),
    ...rotationMembers(secret.rotation),
    PrimaryRegion: primaryRegionOf(secret),
  };
}

/** Rotation members, present once rotation was ever configured (RotationEnabled false after a cancel). */
function rotationMembers(rotation: SecretRecord['rotation']): SecretListEntry {
  if (!rotation) return {};
  return {
    RotationEnabled: rotation.enabled,
    RotationLambdaARN: rotation.lambdaArn,
    RotationRules: rotation.rules,
    LastRotatedDate: seconds(rotation.lastRotatedAt),
    NextRotationDate: rotation.enabled ? seconds(rotation.nextRotationDate) : undefined,
  };
}

/** DescribeSecret: a SecretListEntry's members, and a primary's ReplicationStatus (which AWS's SecretListEntry has not). */
export function describeSecretResponse(entry: SecretWithStages): DescribeSecretResponse {
  return {
    ...secretMetadata(entry),
    VersionIdsToStages: entry.stages.size ? versionsToStages(entry.stages) : undefined,
    ReplicationStatus: entry.replication?.map(replicationStatus),
  };
}

export function secretListEntry(entry: SecretWithStages): SecretListEntry {
  return {
    ...secretMetadata(entry),
    SecretVersionsToStages: entry.stages.size ? versionsToStages(entry.stages) : undefined,
  };
}

export function secretValueEntry(value: SecretValueOutput): SecretValueEntry {
  return {
    ARN: value.ARN,
    Name: value.Name,
    VersionId: value.VersionId,
    SecretString: value.SecretString,
    SecretBinary: value.SecretBinary?.toString('base64'),
    VersionStages: value.VersionStages,
    CreatedDate: seconds(value.CreatedDate),
  };
}

export function secretVersionsListEntry(version: VersionRecord): SecretVersionsListEntry {
  return {
    VersionId: version.versionId,
    VersionStages: nonEmpty(version.stages),
    LastAccessedDate: seconds(version.lastAccessedAt),
    CreatedDate: seconds(version.createdAt),
    // A version moved to another key stays readable through the keys it had before.
    KmsKeyIds: [...new Set([version, ...(version.previousWrappings ?? [])].map((w) => w.kmsKeyArn ?? 'DefaultEncryptionKey'))],
  };
}
