import type { ChangeCache } from '../change-cache.js';
import type { SecretKey, SecretListQuery, SecretRepository } from '../repositories.js';
import type { NewSecret, NewVersion, SecretRecord, VersionRecord } from '../stored-records.js';
import { SECRETS, SECRET_VERSIONS, groupStages, secretListQuery, secretWithStagedVersion, stagedReadKey, toSecretWithStagedVersion, versionColumns, type StageRow } from '../rows/secret-rows.js';
import { sql, type Queryable, type Statement } from './pg-statement.js';

const SECRET_WITH_STAGED_VERSION = secretWithStagedVersion('postgres');
const VERSION_COLUMNS = versionColumns('postgres');

const STATEMENTS = {
  byId: sql('SELECT * FROM secrets WHERE id = ?'),
  byName: sql('SELECT * FROM secrets WHERE account = ? AND region = ? AND name = ?'),
  byArn: sql('SELECT * FROM secrets WHERE arn = ?'),
  withStageByName: sql(`${SECRET_WITH_STAGED_VERSION} WHERE s.account = @account AND s.region = @region AND s.name = @name`),
  withStageByArn: sql(`${SECRET_WITH_STAGED_VERSION} WHERE s.arn = @arn`),
  insert: sql(`${SECRETS.insert()} RETURNING id`),
  update: sql(SECRETS.update('id = @id')),
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
  insertVersion: sql(
    SECRET_VERSIONS.insert({ createdAt: 'GREATEST(@createdAt::bigint, (SELECT MAX(created_at) FROM secret_versions WHERE secret_id = @secretId))' }),
  ),
  fillVersion: sql(SECRET_VERSIONS.update('secret_id = @secretId AND version_id = @versionId')),
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
    return SECRETS.readOne(await STATEMENTS.byId.get(this.db, [id]));
  }

  async withFailedReplicas(afterId: number, limit: number): Promise<SecretRecord[]> {
    return SECRETS.readAll(await STATEMENTS.withFailedReplicas.all(this.db, [afterId, limit]));
  }

  async findByName(account: string, region: string, name: string): Promise<SecretRecord | undefined> {
    return SECRETS.readOne(await STATEMENTS.byName.get(this.db, [account, region, name]));
  }

  async findByArn(arn: string): Promise<SecretRecord | undefined> {
    return SECRETS.readOne(await STATEMENTS.byArn.get(this.db, [arn]));
  }

  async findWithStagedVersion(key: SecretKey, stage: string): Promise<{ secret: SecretRecord; version?: VersionRecord } | undefined> {
    if (!this.cache) return this.loadWithStagedVersion(key, stage);
    return this.cache.getOrLoad(stagedReadKey(key, stage), () => this.loadWithStagedVersion(key, stage));
  }

  private async loadWithStagedVersion(key: SecretKey, stage: string): Promise<{ secret: SecretRecord; version?: VersionRecord } | undefined> {
    const statement = 'arn' in key ? STATEMENTS.withStageByArn : STATEMENTS.withStageByName;
    return toSecretWithStagedVersion(await statement.get(this.db, { ...key, stage }));
  }

  async insert(secret: NewSecret): Promise<SecretRecord> {
    const row = await STATEMENTS.insert.get<{ id: number }>(this.db, SECRETS.params(secret, 'postgres'));
    return { ...secret, id: row!.id };
  }

  async update(secret: SecretRecord): Promise<void> {
    await STATEMENTS.update.run(this.db, { ...SECRETS.params(secret, 'postgres'), id: secret.id });
  }

  async purge(id: number): Promise<void> {
    await STATEMENTS.purge.run(this.db, [id]);
  }

  async list(query: SecretListQuery): Promise<SecretRecord[]> {
    const { text, params } = secretListQuery(query);
    let statement = listStatements.get(text);
    if (!statement) listStatements.set(text, (statement = sql(text)));
    return SECRETS.readAll(await statement.all(this.db, params));
  }

  async dueForPurge(now: number, limit: number): Promise<SecretRecord[]> {
    return SECRETS.readAll(await STATEMENTS.due.all(this.db, [now, limit]));
  }

  async dueForRotation(now: number, limit: number): Promise<SecretRecord[]> {
    return SECRETS.readAll(await STATEMENTS.dueForRotation.all(this.db, [now, limit]));
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
    return SECRET_VERSIONS.readAll(await STATEMENTS.versions.all(this.db, [secretId]));
  }

  async stagesOf(secretIds: number[]): Promise<Map<number, Map<string, string[]>>> {
    if (secretIds.length === 0) return new Map();
    return groupStages(await STATEMENTS.stagesOf.all<StageRow>(this.db, [secretIds]));
  }

  async version(secretId: number, versionId: string): Promise<VersionRecord | undefined> {
    return SECRET_VERSIONS.readOne(await STATEMENTS.version.get(this.db, [secretId, versionId]));
  }

  async versionByStage(secretId: number, stage: string): Promise<VersionRecord | undefined> {
    return SECRET_VERSIONS.readOne(await STATEMENTS.versionByStage.get(this.db, [secretId, stage]));
  }

  async insertVersion(version: NewVersion): Promise<void> {
    await STATEMENTS.insertVersion.run(this.db, SECRET_VERSIONS.params(version, 'postgres'));
  }

  async fillVersion(version: NewVersion): Promise<void> {
    await STATEMENTS.fillVersion.run(this.db, SECRET_VERSIONS.params(version, 'postgres'));
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
