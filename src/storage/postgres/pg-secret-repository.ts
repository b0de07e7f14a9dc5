import type { ChangeCache } from '../change-cache.js';
import type { SecretKey, SecretListQuery, SecretRepository } from '../repositories.js';
import type { NewSecret, NewVersion, SecretRecord, VersionRecord } from '../stored-records.js';
import {
  SORT_COLUMNS,
  groupStages,
  secretParams,
  stagedReadKey,
  toSecret,
  toSecretWithStagedVersion,
  toVersion,
  versionParams,
  type SecretRow,
  type SecretWithStagedVersionRow,
  type StageRow,
  type VersionRow,
} from '../rows/secret-rows.js';
import { sql, type Queryable, type Statement } from './pg-statement.js';

/** A version's labels, joined by newlines as the row mapper reads them. */
const STAGES_OF = (v: string) => `(SELECT string_agg(x.stage, chr(10)) FROM version_stages x WHERE x.secret_id = ${v}.secret_id AND x.version_id = ${v}.version_id)`;

const SECRET_WITH_STAGED_VERSION = `SELECT s.*, v.secret_id AS v_secret_id, v.version_id AS v_version_id, v.created_at AS v_created_at,
  v.value_type AS v_value_type, v.ciphertext AS v_ciphertext, v.wrapped_data_key AS v_wrapped_data_key, v.kms_key_arn AS v_kms_key_arn,
  v.previous_wrappings AS v_previous_wrappings, v.last_accessed_at AS v_last_accessed_at, ${STAGES_OF('v')} AS v_stages
  FROM secrets s
  LEFT JOIN version_stages st ON st.secret_id = s.id AND st.stage = @stage
  LEFT JOIN secret_versions v ON v.secret_id = st.secret_id AND v.version_id = st.version_id`;

const VERSION_COLUMNS = `v.secret_id, v.version_id, v.created_at, v.value_type, v.ciphertext, v.wrapped_data_key, v.kms_key_arn,
  v.previous_wrappings, v.last_accessed_at, ${STAGES_OF('v')} AS stages`;

const STATEMENTS = {
  byId: sql('SELECT * FROM secrets WHERE id = ?'),
  byName: sql('SELECT * FROM secrets WHERE account = ? AND region = ? AND name = ?'),
  byArn: sql('SELECT * FROM secrets WHERE arn = ?'),
  withStageByName: sql(`${SECRET_WITH_STAGED_VERSION} WHERE s.account = @account AND s.region = @region AND s.name = @name`),
  withStageByArn: sql(`${SECRET_WITH_STAGED_VERSION} WHERE s.arn = @arn`),
  insert: sql(`INSERT INTO secrets (account, region, name, arn, description, kms_key_arn, tags, tagged, created_at,
    last_changed_at, last_accessed_at, deleted_at, deletion_date, rotation_enabled, rotation_lambda_arn, rotation_rules,
    last_rotated_at, next_rotation_at, next_rotation_date, resource_policy, primary_region, replicas, replicas_failed)
    VALUES (@account, @region, @name, @arn, @description, @kmsKeyArn, @tags, @tagged::int::boolean, @createdAt, @lastChangedAt,
    @lastAccessedAt, @deletedAt, @deletionDate, @rotationEnabled::int::boolean, @rotationLambdaArn, @rotationRules, @lastRotatedAt,
    @nextRotationAt, @nextRotationDate, @resourcePolicy, @primaryRegion, @replicas, @replicasFailed::int::boolean) RETURNING id`),
  update: sql(`UPDATE secrets SET description = @description, kms_key_arn = @kmsKeyArn, tags = @tags, tagged = @tagged::int::boolean,
    last_changed_at = @lastChangedAt, last_accessed_at = @lastAccessedAt, deleted_at = @deletedAt,
    deletion_date = @deletionDate, rotation_enabled = @rotationEnabled::int::boolean, rotation_lambda_arn = @rotationLambdaArn,
    rotation_rules = @rotationRules, last_rotated_at = @lastRotatedAt, next_rotation_at = @nextRotationAt,
    next_rotation_date = @nextRotationDate, resource_policy = @resourcePolicy, primary_region = @primaryRegion,
    replicas = @replicas, replicas_failed = @replicasFailed::int::boolean WHERE id = @id`),
  withFailedReplicas: sql('SELECT * FROM secrets WHERE replicas_failed AND id > ? ORDER BY id LIMIT ?'),
  dueForRotation: sql(`SELECT * FROM secrets WHERE next_rotation_at IS NOT NULL AND next_rotation_at <= ?
    AND primary_region IS NULL ORDER BY next_rotation_at LIMIT ?`),
  nextRotationAt: sql('SELECT min(next_rotation_at) AS at FROM secrets WHERE next_rotation_at IS NOT NULL AND primary_region IS NULL'),
  // Versions and their labels go with the secret (ON DELETE CASCADE).
  purge: sql('DELETE FROM secrets WHERE id = ?'),
  due: sql('SELECT * FROM secrets WHERE deletion_date IS NOT NULL AND deletion_date <= ? ORDER BY deletion_date LIMIT ?'),
  touch: sql('UPDATE secrets SET last_accessed_at = @day WHERE id = @id AND (last_accessed_at IS NULL OR last_accessed_at < @day)'),
  touchVersion: sql(`UPDATE secret_versions SET last_accessed_at = @day
    WHERE secret_id = @secretId AND version_id = @versionId AND (last_accessed_at IS NULL OR last_accessed_at < @day)`),
  // Their labels go with them (ON DELETE CASCADE).
  deleteVersions: sql('DELETE FROM secret_versions WHERE secret_id = ? AND version_id = ANY(?::text[])'),
  versions: sql(`SELECT ${VERSION_COLUMNS} FROM secret_versions v WHERE v.secret_id = ? ORDER BY v.created_at, v.version_id`),
  version: sql(`SELECT ${VERSION_COLUMNS} FROM secret_versions v WHERE v.secret_id = ? AND v.version_id = ?`),
  versionByStage: sql(`SELECT ${VERSION_COLUMNS} FROM version_stages st
    JOIN secret_versions v ON v.secret_id = st.secret_id AND v.version_id = st.version_id
    WHERE st.secret_id = ? AND st.stage = ?`),
  stagesOf: sql('SELECT secret_id, version_id, stage FROM version_stages WHERE secret_id = ANY(?::bigint[]) ORDER BY stage'),
  insertVersion: sql(`INSERT INTO secret_versions (secret_id, version_id, created_at, value_type, ciphertext,
    wrapped_data_key, kms_key_arn, previous_wrappings) VALUES (@secretId, @versionId,
    GREATEST(@createdAt::bigint, (SELECT MAX(created_at) FROM secret_versions WHERE secret_id = @secretId)), @valueType, @ciphertext,
    @wrappedDataKey, @kmsKeyArn, @previousWrappings)`),
  fillVersion: sql(`UPDATE secret_versions SET value_type = @valueType, ciphertext = @ciphertext,
    wrapped_data_key = @wrappedDataKey, kms_key_arn = @kmsKeyArn, previous_wrappings = @previousWrappings
    WHERE secret_id = @secretId AND version_id = @versionId`),
  prune: sql(`DELETE FROM secret_versions WHERE secret_id = @secretId AND version_id IN (
    SELECT v.version_id FROM secret_versions v WHERE v.secret_id = @secretId AND v.created_at < @olderThan
    AND NOT EXISTS (SELECT 1 FROM version_stages s WHERE s.secret_id = v.secret_id AND s.version_id = v.version_id)
    ORDER BY v.created_at, v.version_id
    LIMIT GREATEST(0, (SELECT count(*) FROM secret_versions WHERE secret_id = @secretId) - @keep::bigint))`),
  clearStages: sql('DELETE FROM version_stages WHERE secret_id = ?'),
  insertStages: sql(`INSERT INTO version_stages (secret_id, stage, version_id)
    SELECT @secretId, stage, version_id FROM unnest(@stages::text[], @versionIds::text[]) AS t (stage, version_id)`),
};

/** The list statements, one per shape of query, made once. */
const listStatements = new Map<string, Statement>();

export class PgSecretRepository implements SecretRepository {
  /** With a cache, `findWithStagedVersion` answers from it (only the repository used outside units of work has one). */
  constructor(
    private readonly db: Queryable,
    private readonly cache?: ChangeCache<{ secret: SecretRecord; version?: VersionRecord }>,
  ) {}

  async findById(id: number): Promise<SecretRecord | undefined> {
    const row = await STATEMENTS.byId.get<SecretRow>(this.db, [id]);
    return row && toSecret(row);
  }

  async withFailedReplicas(afterId: number, limit: number): Promise<SecretRecord[]> {
    return (await STATEMENTS.withFailedReplicas.all<SecretRow>(this.db, [afterId, limit])).map(toSecret);
  }

  async findByName(account: string, region: string, name: string): Promise<SecretRecord | undefined> {
    const row = await STATEMENTS.byName.get<SecretRow>(this.db, [account, region, name]);
    return row && toSecret(row);
  }

  async findByArn(arn: string): Promise<SecretRecord | undefined> {
    const row = await STATEMENTS.byArn.get<SecretRow>(this.db, [arn]);
    return row && toSecret(row);
  }

  async findWithStagedVersion(key: SecretKey, stage: string): Promise<{ secret: SecretRecord; version?: VersionRecord } | undefined> {
    if (!this.cache) return this.loadWithStagedVersion(key, stage);
    return this.cache.getOrLoad(stagedReadKey(key, stage), () => this.loadWithStagedVersion(key, stage));
  }

  private async loadWithStagedVersion(key: SecretKey, stage: string): Promise<{ secret: SecretRecord; version?: VersionRecord } | undefined> {
    const statement = 'arn' in key ? STATEMENTS.withStageByArn : STATEMENTS.withStageByName;
    const row = await statement.get<SecretWithStagedVersionRow>(this.db, { ...key, stage });
    return row && toSecretWithStagedVersion(row);
  }

  async insert(secret: NewSecret): Promise<SecretRecord> {
    const row = await STATEMENTS.insert.get<{ id: number }>(this.db, secretParams(secret));
    return { ...secret, id: row!.id };
  }

  async update(secret: SecretRecord): Promise<void> {
    await STATEMENTS.update.run(this.db, { ...secretParams(secret), id: secret.id });
  }

  async purge(id: number): Promise<void> {
    await STATEMENTS.purge.run(this.db, [id]);
  }

  async list(query: SecretListQuery): Promise<SecretRecord[]> {
    const sort = SORT_COLUMNS[query.sortBy];
    const direction = query.descending ? 'DESC' : 'ASC';
    const comparison = query.descending ? '<' : '>';
    const where = ['account = @account', 'region = @region'];
    if (!query.includePlannedDeletion) where.push('deleted_at IS NULL');
    // A range on the name keeps the prefix search on the (account, region, name) index.
    if (query.namePrefix !== undefined) where.push('name >= @namePrefix AND name < @namePrefixEnd');
    if (query.after) where.push(`(${sort}, id) ${comparison} (@afterValue, @afterId)`);
    const text = `SELECT * FROM secrets WHERE ${where.join(' AND ')} ORDER BY ${sort} ${direction}, id ${direction} LIMIT @limit`;
    let statement = listStatements.get(text);
    if (!statement) listStatements.set(text, (statement = sql(text)));
    const rows = await statement.all<SecretRow>(this.db, {
      account: query.account,
      region: query.region,
      namePrefix: query.namePrefix,
      namePrefixEnd: query.namePrefix === undefined ? undefined : query.namePrefix + '\u{10FFFF}',
      // A never-accessed secret sorts as 0; a cursor taken on one may carry null.
      afterValue: query.sortBy === 'last-accessed-date' ? (query.after?.sortValue ?? 0) : query.after?.sortValue,
      afterId: query.after?.id,
      limit: query.limit,
    });
    return rows.map(toSecret);
  }

  async dueForPurge(now: number, limit: number): Promise<SecretRecord[]> {
    return (await STATEMENTS.due.all<SecretRow>(this.db, [now, limit])).map(toSecret);
  }

  async dueForRotation(now: number, limit: number): Promise<SecretRecord[]> {
    return (await STATEMENTS.dueForRotation.all<SecretRow>(this.db, [now, limit])).map(toSecret);
  }

  async nextRotationAt(): Promise<number | undefined> {
    return (await STATEMENTS.nextRotationAt.get<{ at: number | null }>(this.db))?.at ?? undefined;
  }

  async touchLastAccessed(id: number, day: number): Promise<boolean> {
    return (await STATEMENTS.touch.run(this.db, { id, day })) > 0;
  }

  async touchVersionAccessed(secretId: number, versionId: string, day: number): Promise<boolean> {
    return (await STATEMENTS.touchVersion.run(this.db, { secretId, versionId, day })) > 0;
  }

  async deleteVersions(secretId: number, versionIds: string[]): Promise<void> {
    if (versionIds.length) await STATEMENTS.deleteVersions.run(this.db, [secretId, versionIds]);
  }

  async versions(secretId: number): Promise<VersionRecord[]> {
    return (await STATEMENTS.versions.all<VersionRow>(this.db, [secretId])).map(toVersion);
  }

  async stagesOf(secretIds: number[]): Promise<Map<number, Map<string, string[]>>> {
    if (secretIds.length === 0) return new Map();
    return groupStages(await STATEMENTS.stagesOf.all<StageRow>(this.db, [secretIds]));
  }

  async version(secretId: number, versionId: string): Promise<VersionRecord | undefined> {
    const row = await STATEMENTS.version.get<VersionRow>(this.db, [secretId, versionId]);
    return row && toVersion(row);
  }

  async versionByStage(secretId: number, stage: string): Promise<VersionRecord | undefined> {
    const row = await STATEMENTS.versionByStage.get<VersionRow>(this.db, [secretId, stage]);
    return row && toVersion(row);
  }

  async insertVersion(version: NewVersion): Promise<void> {
    await STATEMENTS.insertVersion.run(this.db, versionParams(version));
  }

  async fillVersion(version: NewVersion): Promise<void> {
    await STATEMENTS.fillVersion.run(this.db, versionParams(version));
  }

  async pruneVersions(secretId: number, keep: number, olderThan: number): Promise<void> {
    await STATEMENTS.prune.run(this.db, { secretId, keep, olderThan });
  }

  async setStages(secretId: number, stages: Map<string, string>): Promise<void> {
    await STATEMENTS.clearStages.run(this.db, [secretId]);
    if (stages.size === 0) return;
    await STATEMENTS.insertStages.run(this.db, { secretId, stages: [...stages.keys()], versionIds: [...stages.values()] });
  }
}
