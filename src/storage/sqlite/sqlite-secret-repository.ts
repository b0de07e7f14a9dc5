import type { Db } from './sqlite-database.js';
import type { ChangeCache } from '../change-cache.js';
import type { SecretKey, SecretListQuery, SecretRepository } from '../repositories.js';
import type { NewSecret, NewVersion, SecretRecord, VersionRecord } from '../stored-records.js';
import {
  SORT_COLUMNS,
  secretParams,
  toSecret,
  groupStages,
  stagedReadKey,
  toSecretWithStagedVersion,
  toVersion,
  versionParams,
  type SecretRow,
  type SecretWithStagedVersionRow,
  type StageRow,
  type VersionRow,
} from '../rows/secret-rows.js';

/** The secret's columns, then its version's under `v_` names (NULL when no version carries the stage). */
const SECRET_WITH_STAGED_VERSION = `SELECT s.*, v.secret_id AS v_secret_id, v.version_id AS v_version_id, v.created_at AS v_created_at,
  v.value_type AS v_value_type, v.ciphertext AS v_ciphertext, v.wrapped_data_key AS v_wrapped_data_key, v.kms_key_arn AS v_kms_key_arn,
  v.previous_wrappings AS v_previous_wrappings, v.last_accessed_at AS v_last_accessed_at,
  (SELECT group_concat(x.stage, char(10)) FROM version_stages x WHERE x.secret_id = v.secret_id AND x.version_id = v.version_id) AS v_stages
  FROM secrets s
  LEFT JOIN version_stages st ON st.secret_id = s.id AND st.stage = @stage
  LEFT JOIN secret_versions v ON v.secret_id = st.secret_id AND v.version_id = st.version_id`;

const VERSION_COLUMNS = `v.secret_id, v.version_id, v.created_at, v.value_type, v.ciphertext, v.wrapped_data_key, v.kms_key_arn,
  v.previous_wrappings, v.last_accessed_at, (SELECT group_concat(s.stage, char(10)) FROM version_stages s WHERE s.secret_id = v.secret_id AND s.version_id = v.version_id) AS stages`;

export class SqliteSecretRepository implements SecretRepository {
  private readonly stmts;

  /**
   * With a cache, `findWithStagedVersion` answers from it (the storage gives one
   * only to the repository used outside units of work, whose reads see
   * committed data alone).
   */
  constructor(
    private readonly db: Db,
    private readonly cache?: ChangeCache<{ secret: SecretRecord; version?: VersionRecord }>,
  ) {
    this.stmts = {
      byId: db.prepare('SELECT * FROM secrets WHERE id = ?'),
      byName: db.prepare('SELECT * FROM secrets WHERE account = ? AND region = ? AND name = ?'),
      byArn: db.prepare('SELECT * FROM secrets WHERE arn = ?'),
      withStageByName: db.prepare(`${SECRET_WITH_STAGED_VERSION} WHERE s.account = @account AND s.region = @region AND s.name = @name`),
      withStageByArn: db.prepare(`${SECRET_WITH_STAGED_VERSION} WHERE s.arn = @arn`),
      insert: db.prepare(`INSERT INTO secrets (account, region, name, arn, description, kms_key_arn, tags, tagged, created_at,
        last_changed_at, last_accessed_at, deleted_at, deletion_date, rotation_enabled, rotation_lambda_arn, rotation_rules,
        last_rotated_at, next_rotation_at, next_rotation_date, resource_policy, primary_region, replicas, replicas_failed)
        VALUES (@account, @region, @name, @arn, @description, @kmsKeyArn, @tags, @tagged, @createdAt, @lastChangedAt,
        @lastAccessedAt, @deletedAt, @deletionDate, @rotationEnabled, @rotationLambdaArn, @rotationRules, @lastRotatedAt,
        @nextRotationAt, @nextRotationDate, @resourcePolicy, @primaryRegion, @replicas, @replicasFailed)`),
      update: db.prepare(`UPDATE secrets SET description = @description, kms_key_arn = @kmsKeyArn, tags = @tags, tagged = @tagged,
        last_changed_at = @lastChangedAt, last_accessed_at = @lastAccessedAt, deleted_at = @deletedAt,
        deletion_date = @deletionDate, rotation_enabled = @rotationEnabled, rotation_lambda_arn = @rotationLambdaArn,
        rotation_rules = @rotationRules, last_rotated_at = @lastRotatedAt, next_rotation_at = @nextRotationAt,
        next_rotation_date = @nextRotationDate, resource_policy = @resourcePolicy, primary_region = @primaryRegion,
        replicas = @replicas, replicas_failed = @replicasFailed WHERE id = @id`),
      withFailedReplicas: db.prepare('SELECT * FROM secrets WHERE replicas_failed = 1 AND id > ? ORDER BY id LIMIT ?'),
      dueForRotation: db.prepare(`SELECT * FROM secrets WHERE next_rotation_at IS NOT NULL AND next_rotation_at <= ?
        AND primary_region IS NULL ORDER BY next_rotation_at LIMIT ?`),
      nextRotationAt: db.prepare('SELECT min(next_rotation_at) AS at FROM secrets WHERE next_rotation_at IS NOT NULL AND primary_region IS NULL'),
      purgeStages: db.prepare('DELETE FROM version_stages WHERE secret_id = ?'),
      purgeVersions: db.prepare('DELETE FROM secret_versions WHERE secret_id = ?'),
      purge: db.prepare('DELETE FROM secrets WHERE id = ?'),
      due: db.prepare('SELECT * FROM secrets WHERE deletion_date IS NOT NULL AND deletion_date <= ? ORDER BY deletion_date LIMIT ?'),
      touch: db.prepare('UPDATE secrets SET last_accessed_at = ? WHERE id = ? AND (last_accessed_at IS NULL OR last_accessed_at < ?)'),
      touchVersion: db.prepare(`UPDATE secret_versions SET last_accessed_at = @day
        WHERE secret_id = @secretId AND version_id = @versionId AND (last_accessed_at IS NULL OR last_accessed_at < @day)`),
      // Its labels go with it (ON DELETE CASCADE).
      deleteVersion: db.prepare('DELETE FROM secret_versions WHERE secret_id = ? AND version_id = ?'),
      versions: db.prepare(`SELECT ${VERSION_COLUMNS} FROM secret_versions v WHERE v.secret_id = ? ORDER BY v.created_at, v.version_id`),
      version: db.prepare(`SELECT ${VERSION_COLUMNS} FROM secret_versions v WHERE v.secret_id = ? AND v.version_id = ?`),
      versionByStage: db.prepare(`SELECT ${VERSION_COLUMNS} FROM version_stages st
        JOIN secret_versions v ON v.secret_id = st.secret_id AND v.version_id = st.version_id
        WHERE st.secret_id = ? AND st.stage = ?`),
      insertVersion: db.prepare(`INSERT INTO secret_versions (secret_id, version_id, created_at, value_type, ciphertext,
        wrapped_data_key, kms_key_arn, previous_wrappings) VALUES (@secretId, @versionId,
        MAX(@createdAt, COALESCE((SELECT MAX(created_at) FROM secret_versions WHERE secret_id = @secretId), @createdAt)), @valueType, @ciphertext,
        @wrappedDataKey, @kmsKeyArn, @previousWrappings)`),
      fillVersion: db.prepare(`UPDATE secret_versions SET value_type = @valueType, ciphertext = @ciphertext,
        wrapped_data_key = @wrappedDataKey, kms_key_arn = @kmsKeyArn, previous_wrappings = @previousWrappings WHERE secret_id = @secretId AND version_id = @versionId`),
      prune: db.prepare(`DELETE FROM secret_versions WHERE secret_id = @secretId AND version_id IN (
        SELECT v.version_id FROM secret_versions v WHERE v.secret_id = @secretId AND v.created_at < @olderThan
        AND NOT EXISTS (SELECT 1 FROM version_stages s WHERE s.secret_id = v.secret_id AND s.version_id = v.version_id)
        ORDER BY v.created_at LIMIT max(0, (SELECT count(*) FROM secret_versions WHERE secret_id = @secretId) - @keep))`),
      insertStage: db.prepare('INSERT INTO version_stages (secret_id, stage, version_id) VALUES (?, ?, ?)'),
    };
  }

  async findById(id: number): Promise<SecretRecord | undefined> {
    const row = this.stmts.byId.get(id) as SecretRow | undefined;
    return row && toSecret(row);
  }

  async withFailedReplicas(afterId: number, limit: number): Promise<SecretRecord[]> {
    return (this.stmts.withFailedReplicas.all(afterId, limit) as SecretRow[]).map(toSecret);
  }

  async findByName(account: string, region: string, name: string): Promise<SecretRecord | undefined> {
    const row = this.stmts.byName.get(account, region, name) as SecretRow | undefined;
    return row && toSecret(row);
  }

  async dueForRotation(now: number, limit: number): Promise<SecretRecord[]> {
    return (this.stmts.dueForRotation.all(now, limit) as SecretRow[]).map(toSecret);
  }

  async nextRotationAt(): Promise<number | undefined> {
    return (this.stmts.nextRotationAt.get() as { at: number | null }).at ?? undefined;
  }

  async findByArn(arn: string): Promise<SecretRecord | undefined> {
    const row = this.stmts.byArn.get(arn) as SecretRow | undefined;
    return row && toSecret(row);
  }

  async findWithStagedVersion(key: SecretKey, stage: string): Promise<{ secret: SecretRecord; version?: VersionRecord } | undefined> {
    if (!this.cache) return this.loadWithStagedVersion(key, stage);
    return this.cache.getOrLoad(stagedReadKey(key, stage), () => this.loadWithStagedVersion(key, stage));
  }

  private async loadWithStagedVersion(key: SecretKey, stage: string): Promise<{ secret: SecretRecord; version?: VersionRecord } | undefined> {
    const statement = 'arn' in key ? this.stmts.withStageByArn : this.stmts.withStageByName;
    const row = statement.get({ ...key, stage }) as SecretWithStagedVersionRow | undefined;
    return row && toSecretWithStagedVersion(row);
  }

  async insert(secret: NewSecret): Promise<SecretRecord> {
    const result = this.stmts.insert.run(secretParams(secret));
    return { ...secret, id: Number(result.lastInsertRowid) };
  }

  async update(secret: SecretRecord): Promise<void> {
    this.stmts.update.run({ ...secretParams(secret), id: secret.id });
  }

  async purge(id: number): Promise<void> {
    this.stmts.purgeStages.run(id);
    this.stmts.purgeVersions.run(id);
    this.stmts.purge.run(id);
  }

  async list(query: SecretListQuery): Promise<SecretRecord[]> {
    const sort = SORT_COLUMNS[query.sortBy];
    const direction = query.descending ? 'DESC' : 'ASC';
    const comparison = query.descending ? '<' : '>';
    const where = ['account = @account', 'region = @region'];
    if (!query.includePlannedDeletion) where.push('deleted_at IS NULL');
    if (query.namePrefix !== undefined) {
      // A range on the name keeps the prefix search on the (account, region, name) index.
      where.push('name >= @namePrefix AND name < @namePrefixEnd');
    }
    if (query.after) where.push(`(${sort}, id) ${comparison} (@afterValue, @afterId)`);
    const sql = `SELECT * FROM secrets WHERE ${where.join(' AND ')} ORDER BY ${sort} ${direction}, id ${direction} LIMIT @limit`;
    const rows = this.db.prepare(sql).all({
      account: query.account,
      region: query.region,
      namePrefix: query.namePrefix,
      namePrefixEnd: query.namePrefix === undefined ? undefined : query.namePrefix + '\u{10FFFF}',
      // A never-accessed secret sorts as 0; a cursor taken on one may carry null, which would
      // make the row-value comparison NULL and end the listing early.
      afterValue: query.sortBy === 'last-accessed-date' ? (query.after?.sortValue ?? 0) : query.after?.sortValue,
      afterId: query.after?.id,
      limit: query.limit,
    }) as SecretRow[];
    return rows.map(toSecret);
  }

  async dueForPurge(now: number, limit: number): Promise<SecretRecord[]> {
    return (this.stmts.due.all(now, limit) as SecretRow[]).map(toSecret);
  }

  async touchLastAccessed(id: number, day: number): Promise<boolean> {
    return this.stmts.touch.run(day, id, day).changes > 0;
  }

  async touchVersionAccessed(secretId: number, versionId: string, day: number): Promise<boolean> {
    return this.stmts.touchVersion.run({ secretId, versionId, day }).changes > 0;
  }

  async deleteVersions(secretId: number, versionIds: string[]): Promise<void> {
    for (const versionId of versionIds) this.stmts.deleteVersion.run(secretId, versionId);
  }

  async versions(secretId: number): Promise<VersionRecord[]> {
    return (this.stmts.versions.all(secretId) as VersionRow[]).map(toVersion);
  }

  async stagesOf(secretIds: number[]): Promise<Map<number, Map<string, string[]>>> {
    if (secretIds.length === 0) return new Map();
    const rows = this.db
      .prepare(`SELECT secret_id, version_id, stage FROM version_stages WHERE secret_id IN (${secretIds.map(() => '?').join(',')}) ORDER BY stage`)
      .all(...secretIds) as StageRow[];
    return groupStages(rows);
  }

  async version(secretId: number, versionId: string): Promise<VersionRecord | undefined> {
    const row = this.stmts.version.get(secretId, versionId) as VersionRow | undefined;
    return row && toVersion(row);
  }

  async versionByStage(secretId: number, stage: string): Promise<VersionRecord | undefined> {
    const row = this.stmts.versionByStage.get(secretId, stage) as VersionRow | undefined;
    return row && toVersion(row);
  }

  async insertVersion(version: NewVersion): Promise<void> {
    this.stmts.insertVersion.run(versionParams(version));
  }

  async fillVersion(version: NewVersion): Promise<void> {
    this.stmts.fillVersion.run(versionParams(version));
  }

  async pruneVersions(secretId: number, keep: number, olderThan: number): Promise<void> {
    this.stmts.prune.run({ secretId, keep, olderThan });
  }

  async setStages(secretId: number, stages: Map<string, string>): Promise<void> {
    this.stmts.purgeStages.run(secretId);
    for (const [stage, versionId] of stages) this.stmts.insertStage.run(secretId, stage, versionId);
  }
}
