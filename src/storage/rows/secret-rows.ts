import type { SecretKey, SecretListQuery, SortKey } from '../repositories.js';
import type { DataKeyWrapping, NewSecret, ReplicaRecord, SecretRecord, SecretRotation, Tag, ValueType, VersionRecord } from '../stored-records.js';
import { bytes, column, computed, fixed, flag, generated, integer, json, optional, optionalList, table, text, time, type Dialect, type Row } from './table.js';

/**
 * A secret as its row holds it: its rotation in columns of their own, and whether a replica
 * failed (derived from the replicas, for the background retry's index).
 */
interface SecretColumns extends Omit<SecretRecord, 'tagged' | 'rotation'> {
  tagged: boolean;
  rotationEnabled: boolean;
  rotationLambdaArn?: string;
  rotationRules?: SecretRotation['rules'];
  lastRotatedAt?: number;
  nextRotationAt?: number;
  nextRotationDate?: number;
  replicasFailed: boolean;
}

const SECRET_COLUMNS = table<SecretColumns, 'id'>('secrets', {
  id: generated(integer('id')),
  account: fixed(text('account')),
  region: fixed(text('region')),
  name: fixed(text('name')),
  arn: fixed(text('arn')),
  description: optional(text('description')),
  kmsKeyArn: optional(text('kms_key_arn')),
  tags: json<Tag[]>('tags'),
  tagged: flag('tagged'),
  createdAt: fixed(time('created_at')),
  lastChangedAt: time('last_changed_at'),
  lastAccessedAt: optional(time('last_accessed_at')),
  deletedAt: optional(time('deleted_at')),
  deletionDate: optional(time('deletion_date')),
  rotationEnabled: flag('rotation_enabled'),
  rotationLambdaArn: optional(text('rotation_lambda_arn')),
  rotationRules: optional(json<NonNullable<SecretRotation['rules']>>('rotation_rules')),
  lastRotatedAt: optional(time('last_rotated_at')),
  nextRotationAt: optional(time('next_rotation_at')),
  nextRotationDate: optional(time('next_rotation_date')),
  resourcePolicy: optional(text('resource_policy')),
  primaryRegion: optional(text('primary_region')),
  replicas: optionalList(json<ReplicaRecord[]>('replicas')),
  replicasFailed: flag('replicas_failed'),
});

/** Secrets (their ids are the database's). */
export const SECRETS = SECRET_COLUMNS.shaped(toSecret, fromSecret);

function toSecret(stored: SecretColumns): SecretRecord {
  const { tagged, rotationEnabled, rotationLambdaArn, rotationRules, lastRotatedAt, nextRotationAt, nextRotationDate, replicasFailed, ...secret } = stored;
  // No rotation for a secret whose rotation was never configured; replicas_failed is for the index alone.
  const rotated = rotationEnabled || rotationLambdaArn !== undefined || rotationRules !== undefined || lastRotatedAt !== undefined;
  return {
    ...secret,
    ...(tagged ? { tagged } : {}),
    ...(rotated
      ? { rotation: { enabled: rotationEnabled, lambdaArn: rotationLambdaArn, rules: rotationRules, lastRotatedAt, nextRotationAt, nextRotationDate } }
      : {}),
  };
}

function fromSecret(secret: NewSecret): Omit<SecretColumns, 'id'> {
  const { rotation } = secret;
  return {
    ...secret,
    tagged: secret.tagged === true,
    rotationEnabled: rotation?.enabled === true,
    rotationLambdaArn: rotation?.lambdaArn,
    rotationRules: rotation?.rules,
    lastRotatedAt: rotation?.lastRotatedAt,
    nextRotationAt: rotation?.nextRotationAt,
    nextRotationDate: rotation?.nextRotationDate,
    replicasFailed: secret.replicas?.some((r) => r.status === 'Failed') === true,
  };
}

/** A version's labels, joined by newlines (which a label cannot contain) in the `stages` each SELECT adds. */
const labels = (name: string) => column<string[]>(name, () => null, (stored) => (stored ? (stored as string).split('\n').sort() : []));

/** Earlier wrappings of a version's data key, as JSON with each wrapped key in base64. */
const wrappings = (name: string) => column<DataKeyWrapping[]>(name, encodeWrappings, (stored) => decodeWrappings(stored as string));

/** Secret versions; touching one sets its last access through a statement of its own. */
export const SECRET_VERSIONS = table<VersionRecord, 'lastAccessedAt' | 'stages'>('secret_versions', {
  secretId: fixed(integer('secret_id')),
  versionId: fixed(text('version_id')),
  createdAt: fixed(time('created_at')),
  valueType: optional(text<ValueType>('value_type')),
  ciphertext: optional(bytes('ciphertext')),
  wrappedDataKey: optional(bytes('wrapped_data_key')),
  kmsKeyArn: optional(text('kms_key_arn')),
  previousWrappings: optionalList(wrappings('previous_wrappings')),
  lastAccessedAt: optional(generated(time('last_accessed_at'))),
  stages: computed(labels('stages')),
});

/** The ORDER BY expression of each list sort. */
const SORT_COLUMNS: Record<SortKey, string> = {
  'created-date': 'created_at',
  'last-changed-date': 'last_changed_at',
  'last-accessed-date': 'COALESCE(last_accessed_at, 0)',
  name: 'name',
};

/** The SELECT of a page of a secret listing (the rows after its keyset cursor), with its parameters. */
export function secretListQuery(query: SecretListQuery): { text: string; params: Record<string, unknown> } {
  const sort = SORT_COLUMNS[query.sortBy];
  const direction = query.descending ? 'DESC' : 'ASC';
  const comparison = query.descending ? '<' : '>';
  const where = ['account = @account', 'region = @region'];
  if (!query.includePlannedDeletion) where.push('deleted_at IS NULL');
  // A range on the name keeps the prefix search on the (account, region, name) index.
  if (query.namePrefix !== undefined) where.push('name >= @namePrefix AND name < @namePrefixEnd');
  if (query.after) where.push(`(${sort}, id) ${comparison} (@afterValue, @afterId)`);
  return {
    text: `SELECT * FROM secrets WHERE ${where.join(' AND ')} ORDER BY ${sort} ${direction}, id ${direction} LIMIT @limit`,
    params: {
      account: query.account,
      region: query.region,
      namePrefix: query.namePrefix,
      namePrefixEnd: query.namePrefix === undefined ? undefined : query.namePrefix + '\u{10FFFF}',
      // A never-accessed secret sorts as 0; a cursor taken on one may carry null, which would
      // make the row-value comparison NULL and end the listing early.
      afterValue: query.sortBy === 'last-accessed-date' ? (query.after?.sortValue ?? 0) : query.after?.sortValue,
      afterId: query.after?.id,
      limit: query.limit,
    },
  };
}

/** The labels of the version aliased `v`, joined by newlines (which a label cannot contain) as `stages` reads them. */
function stagesOf(v: string, dialect: Dialect): string {
  const joined = dialect === 'sqlite' ? 'group_concat(x.stage, char(10))' : 'string_agg(x.stage, chr(10))';
  return `(SELECT ${joined} FROM version_stages x WHERE x.secret_id = ${v}.secret_id AND x.version_id = ${v}.version_id)`;
}

/** A version's columns and its labels, for a SELECT through the alias `v`. */
export const versionColumns = (dialect: Dialect): string => `${SECRET_VERSIONS.select('v')}, ${stagesOf('v', dialect)} AS stages`;

/**
 * The secret's columns, then those of its version labelled `@stage` under `v_` names (NULL when no
 * version carries the label), as `toSecretWithStagedVersion` reads them; a WHERE on `s` follows.
 */
export const secretWithStagedVersion = (dialect: Dialect): string => `SELECT s.*, ${SECRET_VERSIONS.select('v', 'v_')}, ${stagesOf('v', dialect)} AS v_stages
  FROM secrets s
  LEFT JOIN version_stages st ON st.secret_id = s.id AND st.stage = @stage
  LEFT JOIN secret_versions v ON v.secret_id = st.secret_id AND v.version_id = st.version_id`;

/** What a `secretWithStagedVersion` query found, if it found the secret. */
export function toSecretWithStagedVersion(row: Row | undefined): { secret: SecretRecord; version?: VersionRecord } | undefined {
  if (row === undefined) return undefined;
  const version = row.v_version_id === null ? undefined : SECRET_VERSIONS.readPrefixed(row, 'v_');
  // Frozen: callers may share what a cache holds.
  return Object.freeze({ secret: Object.freeze(SECRETS.read(row)), version: version && Object.freeze(version) });
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

function encodeWrappings(wrappings: DataKeyWrapping[]): string {
  return JSON.stringify(wrappings.map((w) => ({ kmsKeyArn: w.kmsKeyArn, wrappedDataKey: w.wrappedDataKey.toString('base64') })));
}

function decodeWrappings(text: string): DataKeyWrapping[] {
  return (JSON.parse(text) as { kmsKeyArn?: string; wrappedDataKey: string }[]).map((w) => ({
    kmsKeyArn: w.kmsKeyArn,
    wrappedDataKey: Buffer.from(w.wrappedDataKey, 'base64'),
  }));
}
