import type { SecretKey, SortKey } from '../repositories.js';
import type { DataKeyWrapping, NewSecret, NewVersion, ReplicaRecord, SecretRecord, SecretRotation, VersionRecord } from '../stored-records.js';

/** Secrets and their versions as both SQL dialects store them. */
export interface SecretRow {
  id: number;
  account: string;
  region: string;
  name: string;
  arn: string;
  description: string | null;
  kms_key_arn: string | null;
  tags: string;
  /** 0/1 in SQLite, a boolean in PostgreSQL (as every flag below). */
  tagged: number | boolean;
  created_at: number;
  last_changed_at: number;
  last_accessed_at: number | null;
  deleted_at: number | null;
  deletion_date: number | null;
  /** 0/1 in SQLite, a boolean in PostgreSQL. */
  rotation_enabled: number | boolean;
  rotation_lambda_arn: string | null;
  rotation_rules: string | null;
  last_rotated_at: number | null;
  next_rotation_at: number | null;
  next_rotation_date: number | null;
  resource_policy: string | null;
  primary_region: string | null;
  /** JSON list of ReplicaRecord. */
  replicas: string | null;
  /** Whether a replica's replication failed: derived from `replicas`, for the background retry's index. */
  replicas_failed: number | boolean;
}

export interface VersionRow {
  secret_id: number;
  version_id: string;
  created_at: number;
  value_type: 'string' | 'binary' | null;
  ciphertext: Buffer | null;
  wrapped_data_key: Buffer | null;
  kms_key_arn: string | null;
  previous_wrappings: string | null;
  last_accessed_at: number | null;
  stages: string | null;
}

/** The ORDER BY expression of each list sort. */
export const SORT_COLUMNS: Record<SortKey, string> = {
  'created-date': 'created_at',
  'last-changed-date': 'last_changed_at',
  'last-accessed-date': 'COALESCE(last_accessed_at, 0)',
  name: 'name',
};

export function toSecret(row: SecretRow): SecretRecord {
  return {
    id: row.id,
    account: row.account,
    region: row.region,
    name: row.name,
    arn: row.arn,
    description: row.description ?? undefined,
    kmsKeyArn: row.kms_key_arn ?? undefined,
    tags: JSON.parse(row.tags),
    ...(row.tagged ? { tagged: true } : {}),
    createdAt: row.created_at,
    lastChangedAt: row.last_changed_at,
    lastAccessedAt: row.last_accessed_at ?? undefined,
    deletedAt: row.deleted_at ?? undefined,
    deletionDate: row.deletion_date ?? undefined,
    rotation: toRotation(row),
    ...(row.resource_policy === null ? {} : { resourcePolicy: row.resource_policy }),
    ...(row.primary_region === null ? {} : { primaryRegion: row.primary_region }),
    ...(row.replicas === null ? {} : { replicas: JSON.parse(row.replicas) as ReplicaRecord[] }),
  };
}

/** Undefined for a secret whose rotation was never configured. */
function toRotation(row: SecretRow): SecretRotation | undefined {
  if (!row.rotation_enabled && row.rotation_lambda_arn === null && row.rotation_rules === null && row.last_rotated_at === null) return undefined;
  return {
    enabled: Boolean(row.rotation_enabled),
    lambdaArn: row.rotation_lambda_arn ?? undefined,
    rules: row.rotation_rules ? JSON.parse(row.rotation_rules) : undefined,
    lastRotatedAt: row.last_rotated_at ?? undefined,
    nextRotationAt: row.next_rotation_at ?? undefined,
    nextRotationDate: row.next_rotation_date ?? undefined,
  };
}

export function toVersion(row: VersionRow): VersionRecord {
  return {
    secretId: row.secret_id,
    versionId: row.version_id,
    createdAt: row.created_at,
    valueType: row.value_type ?? undefined,
    ciphertext: row.ciphertext ?? undefined,
    wrappedDataKey: row.wrapped_data_key ?? undefined,
    kmsKeyArn: row.kms_key_arn ?? undefined,
    previousWrappings: row.previous_wrappings ? decodeWrappings(row.previous_wrappings) : undefined,
    lastAccessedAt: row.last_accessed_at ?? undefined,
    // Labels joined by newlines (which a label cannot contain).
    stages: row.stages ? row.stages.split('\n').sort() : [],
  };
}

/** A secret's row with its staged version's columns under `v_` names (NULL when no version carries the stage). */
export type SecretWithStagedVersionRow = SecretRow & { [K in keyof VersionRow as `v_${K}`]: VersionRow[K] | null };

export function toSecretWithStagedVersion(row: SecretWithStagedVersionRow): { secret: SecretRecord; version?: VersionRecord } {
  const version =
    row.v_version_id === null
      ? undefined
      : toVersion({
          secret_id: row.v_secret_id!,
          version_id: row.v_version_id,
          created_at: row.v_created_at!,
          value_type: row.v_value_type,
          ciphertext: row.v_ciphertext,
          wrapped_data_key: row.v_wrapped_data_key,
          kms_key_arn: row.v_kms_key_arn,
          previous_wrappings: row.v_previous_wrappings,
          last_accessed_at: row.v_last_accessed_at,
          stages: row.v_stages,
        });
  // Frozen: callers may share what a cache holds.
  return Object.freeze({ secret: Object.freeze(toSecret(row)), version: version && Object.freeze(version) });
}

/** What a cache of `findWithStagedVersion` files a read under. */
export function stagedReadKey(key: SecretKey, stage: string): string {
  return 'arn' in key ? `${key.arn}\n${stage}` : `${key.account}\n${key.region}\n${key.name}\n${stage}`;
}

export interface StageRow {
  secret_id: number;
  version_id: string;
  stage: string;
}

/** Staging label rows, in label order, as `stagesOf` returns them: secretId → versionId → labels. */
export function groupStages(rows: StageRow[]): Map<number, Map<string, string[]>> {
  const result = new Map<number, Map<string, string[]>>();
  for (const row of rows) {
    let versions = result.get(row.secret_id);
    if (!versions) result.set(row.secret_id, (versions = new Map()));
    const stages = versions.get(row.version_id);
    if (stages) stages.push(row.stage);
    else versions.set(row.version_id, [row.stage]);
  }
  return result;
}

export function secretParams(secret: NewSecret) {
  return {
    account: secret.account,
    region: secret.region,
    name: secret.name,
    arn: secret.arn,
    description: secret.description ?? null,
    kmsKeyArn: secret.kmsKeyArn ?? null,
    tags: JSON.stringify(secret.tags),
    tagged: secret.tagged ? 1 : 0,
    createdAt: secret.createdAt,
    lastChangedAt: secret.lastChangedAt,
    lastAccessedAt: secret.lastAccessedAt ?? null,
    deletedAt: secret.deletedAt ?? null,
    deletionDate: secret.deletionDate ?? null,
    rotationEnabled: secret.rotation?.enabled ? 1 : 0,
    rotationLambdaArn: secret.rotation?.lambdaArn ?? null,
    rotationRules: secret.rotation?.rules ? JSON.stringify(secret.rotation.rules) : null,
    lastRotatedAt: secret.rotation?.lastRotatedAt ?? null,
    nextRotationAt: secret.rotation?.nextRotationAt ?? null,
    nextRotationDate: secret.rotation?.nextRotationDate ?? null,
    resourcePolicy: secret.resourcePolicy ?? null,
    primaryRegion: secret.primaryRegion ?? null,
    replicas: secret.replicas?.length ? JSON.stringify(secret.replicas) : null,
    replicasFailed: secret.replicas?.some((r) => r.status === 'Failed') ? 1 : 0,
  };
}

export function versionParams(version: NewVersion) {
  return {
    secretId: version.secretId,
    versionId: version.versionId,
    createdAt: version.createdAt,
    valueType: version.valueType ?? null,
    ciphertext: version.ciphertext ?? null,
    wrappedDataKey: version.wrappedDataKey ?? null,
    kmsKeyArn: version.kmsKeyArn ?? null,
    previousWrappings: version.previousWrappings?.length ? encodeWrappings(version.previousWrappings) : null,
  };
}

function encodeWrappings(wrappings: DataKeyWrapping[]): string {
  return JSON.stringify(wrappings.map((w) => ({ kmsKeyArn: w.kmsKeyArn, wrappedDataKey: w.wrappedDataKey.toString('base64') })));
}

function decodeWrappings(text: string): DataKeyWrapping[] {
  return (JSON.parse(text) as { kmsKeyArn?: string; wrappedDataKey: string }[]).map((w) => ({
    kmsKeyArn: w.kmsKeyArn,
    wrappedDataKey: Buffer.from(w.wrappedDataKey, 'base64'),
  }));
}
