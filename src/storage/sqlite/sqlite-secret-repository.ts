import type { Db } from './sqlite-database.js';
import type { ChangeCache } from '../change-cache.js';
import type { SecretKey, SecretListQuery, SecretRepository } from '../repositories.js';
import type { NewSecret, NewVersion, SecretRecord, VersionRecord } from '../stored-records.js';
import { SECRETS, SECRET_VERSIONS, groupStages, secretListQuery, secretWithStagedVersion, stagedReadKey, toSecretWithStagedVersion, versionColumns, type StageRow } from '../rows/secret-rows.js';
import type { Row } from '../rows/table.js';

const SECRET_WITH_STAGED_VERSION = secretWithStagedVersion('sqlite');
const VERSION_COLUMNS = versionColumns('sqlite');

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
      insert: db.prepare(SECRETS.insert()),
      update: db.prepare(SECRETS.update('id = @id')),
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
      insertVersion: db.prepare(
        SECRET_VERSIONS.insert({ createdAt: 'MAX(@createdAt, COALESCE((SELECT MAX(created_at) FROM secret_versions WHERE secret_id = @secretId), @createdAt))' }),
      ),
      fillVersion: db.prepare(SECRET_VERSIONS.update('secret_id = @secretId AND version_id = @versionId')),
      prune: db.prepare(`DELETE FROM secret_versions WHERE secret_id = @secretId AND version_id IN (
        SELECT v.version_id FROM secret_versions v WHERE v.secret_id = @secretId AND v.created_at < @olderThan
        AND NOT EXISTS (SELECT 1 FROM version_stages s WHERE s.secret_id = v.secret_id AND s.version_id = v.version_id)
        ORDER BY v.created_at LIMIT max(0, (SELECT count(*) FROM secret_versions WHERE secret_id = @secretId) - @keep))`),
      insertStage: db.prepare('INSERT INTO version_stages (secret_id, stage, version_id) VALUES (?, ?, ?)'),
    };
  }

  async findById(id: number): Promise<SecretRecord | undefined> {
    return SECRETS.readOne(this.stmts.byId.get(id));
  }

  async withFailedReplicas(afterId: number, limit: number): Promise<SecretRecord[]> {
    return SECRETS.readAll(this.stmts.withFailedReplicas.all(afterId, limit));
  }

  async findByName(account: string, region: string, name: string): Promise<SecretRecord | undefined> {
    return SECRETS.readOne(this.stmts.byName.get(account, region, name));
  }

  async dueForRotation(now: number, limit: number): Promise<SecretRecord[]> {
    return SECRETS.readAll(this.stmts.dueForRotation.all(now, limit));
  }

  async nextRotationAt(): Promise<number | undefined> {
    return (this.stmts.nextRotationAt.get() as { at: number | null }).at ?? undefined;
  }

  async findByArn(arn: string): Promise<SecretRecord | undefined> {
    return SECRETS.readOne(this.stmts.byArn.get(arn));
  }

  async findWithStagedVersion(key: SecretKey, stage: string): Promise<{ secret: SecretRecord; version?: VersionRecord } | undefined> {
    if (!this.cache) return this.loadWithStagedVersion(key, stage);
    return this.cache.getOrLoad(stagedReadKey(key, stage), () => this.loadWithStagedVersion(key, stage));
  }

  private async loadWithStagedVersion(key: SecretKey, stage: string): Promise<{ secret: SecretRecord; version?: VersionRecord } | undefined> {
    const statement = 'arn' in key ? this.stmts.withStageByArn : this.stmts.withStageByName;
    return toSecretWithStagedVersion(statement.get({ ...key, stage }) as Row | undefined);
  }

  async insert(secret: NewSecret): Promise<SecretRecord> {
    const result = this.stmts.insert.run(SECRETS.params(secret, 'sqlite'));
    return { ...secret, id: Number(result.lastInsertRowid) };
  }

  async update(secret: SecretRecord): Promise<void> {
    this.stmts.update.run({ ...SECRETS.params(secret, 'sqlite'), id: secret.id });
  }

  async purge(id: number): Promise<void> {
    this.stmts.purgeStages.run(id);
    this.stmts.purgeVersions.run(id);
    this.stmts.purge.run(id);
  }

  async list(query: SecretListQuery): Promise<SecretRecord[]> {
    const { text, params } = secretListQuery(query);
    return SECRETS.readAll(this.db.prepare(text).all(params));
  }

  async dueForPurge(now: number, limit: number): Promise<SecretRecord[]> {
    return SECRETS.readAll(this.stmts.due.all(now, limit));
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
    return SECRET_VERSIONS.readAll(this.stmts.versions.all(secretId));
  }

  async stagesOf(secretIds: number[]): Promise<Map<number, Map<string, string[]>>> {
    if (secretIds.length === 0) return new Map();
    const rows = this.db
      .prepare(`SELECT secret_id, version_id, stage FROM version_stages WHERE secret_id IN (${secretIds.map(() => '?').join(',')}) ORDER BY stage`)
      .all(...secretIds) as StageRow[];
    return groupStages(rows);
  }

  async version(secretId: number, versionId: string): Promise<VersionRecord | undefined> {
    return SECRET_VERSIONS.readOne(this.stmts.version.get(secretId, versionId));
  }

  async versionByStage(secretId: number, stage: string): Promise<VersionRecord | undefined> {
    return SECRET_VERSIONS.readOne(this.stmts.versionByStage.get(secretId, stage));
  }

  async insertVersion(version: NewVersion): Promise<void> {
    this.stmts.insertVersion.run(SECRET_VERSIONS.params(version, 'sqlite'));
  }

  async fillVersion(version: NewVersion): Promise<void> {
    this.stmts.fillVersion.run(SECRET_VERSIONS.params(version, 'sqlite'));
  }

  async pruneVersions(secretId: number, keep: number, olderThan: number): Promise<void> {
    this.stmts.prune.run({ secretId, keep, olderThan });
  }

  async setStages(secretId: number, stages: Map<string, string>): Promise<void> {
    this.stmts.purgeStages.run(secretId);
    for (const [stage, versionId] of stages) this.stmts.insertStage.run(secretId, stage, versionId);
  }
}
