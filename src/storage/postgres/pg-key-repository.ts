import type { KeyRepository } from '../repositories.js';
import type { AliasRecord, KeyMaterialRecord, KmsKeyRecord } from '../stored-records.js';
import { keyParams, toAlias, toKey, toMaterial, type AliasRow, type KeyRow, type MaterialRow } from '../rows/key-rows.js';
import { sql, type Queryable } from './pg-statement.js';

const STATEMENTS = {
  find: sql('SELECT * FROM kms_keys WHERE id = ?'),
  insert: sql(`INSERT INTO kms_keys (id, account, region, arn, description, key_manager, state, created_at,
    deletion_date, current_material, policy, tags, rotation_period_days, next_rotation_at, on_demand_rotations)
    VALUES (@id, @account, @region, @arn, @description, @keyManager, @state, @createdAt, @deletionDate,
    @currentMaterial, @policy, @tags, @rotationPeriodDays, @nextRotationAt, @onDemandRotations)`),
  update: sql(`UPDATE kms_keys SET description = @description, state = @state, deletion_date = @deletionDate,
    current_material = @currentMaterial, policy = @policy, tags = @tags, rotation_period_days = @rotationPeriodDays,
    next_rotation_at = @nextRotationAt, on_demand_rotations = @onDemandRotations WHERE id = @id`),
  list: sql('SELECT * FROM kms_keys WHERE account = ? AND region = ? AND id > ? ORDER BY id LIMIT ?'),
  // Materials and aliases go with the key (ON DELETE CASCADE).
  destroy: sql('DELETE FROM kms_keys WHERE id = ?'),
  dueForDeletion: sql('SELECT * FROM kms_keys WHERE deletion_date IS NOT NULL AND deletion_date <= ? ORDER BY deletion_date LIMIT ?'),
  dueForRotation: sql(`SELECT * FROM kms_keys WHERE next_rotation_at IS NOT NULL AND next_rotation_at <= ?
    AND state = 'Enabled' ORDER BY next_rotation_at LIMIT ?`),
  insertMaterial: sql(`INSERT INTO kms_key_materials (key_id, version, wrapped, created_at, material_id, rotation_type)
    VALUES (@keyId, @version, @wrapped, @createdAt, @materialId, @rotationType)`),
  material: sql('SELECT * FROM kms_key_materials WHERE key_id = ? AND version = ?'),
  materials: sql('SELECT * FROM kms_key_materials WHERE key_id = ? ORDER BY version'),
  allMaterials: sql('SELECT * FROM kms_key_materials WHERE (key_id, version) > (?, ?) ORDER BY key_id, version LIMIT ?'),
  rewrapMaterial: sql('UPDATE kms_key_materials SET wrapped = ? WHERE key_id = ? AND version = ?'),
  findAlias: sql('SELECT * FROM kms_aliases WHERE account = ? AND region = ? AND name = ?'),
  insertAlias: sql(`INSERT INTO kms_aliases (account, region, name, key_id, created_at, updated_at)
    VALUES (@account, @region, @name, @keyId, @createdAt, @updatedAt)`),
  updateAlias: sql(`UPDATE kms_aliases SET key_id = @keyId, updated_at = @updatedAt
    WHERE account = @account AND region = @region AND name = @name`),
  deleteAlias: sql('DELETE FROM kms_aliases WHERE account = ? AND region = ? AND name = ?'),
  listAliases: sql(`SELECT * FROM kms_aliases WHERE account = @account AND region = @region AND name > @after
    AND (@keyId::text IS NULL OR key_id = @keyId) ORDER BY name LIMIT @limit`),
};

export class PgKeyRepository implements KeyRepository {
  constructor(private readonly db: Queryable) {}

  async find(id: string): Promise<KmsKeyRecord | undefined> {
    const row = await STATEMENTS.find.get<KeyRow>(this.db, [id]);
    return row && toKey(row);
  }

  async insert(key: KmsKeyRecord, material: KeyMaterialRecord): Promise<void> {
    await STATEMENTS.insert.run(this.db, keyParams(key));
    await this.addMaterial(material);
  }

  async update(key: KmsKeyRecord): Promise<void> {
    await STATEMENTS.update.run(this.db, keyParams(key));
  }

  async list(account: string, region: string, after: string | undefined, limit: number): Promise<KmsKeyRecord[]> {
    return (await STATEMENTS.list.all<KeyRow>(this.db, [account, region, after ?? '', limit])).map(toKey);
  }

  async destroy(id: string): Promise<void> {
    await STATEMENTS.destroy.run(this.db, [id]);
  }

  async dueForDeletion(now: number, limit: number): Promise<KmsKeyRecord[]> {
    return (await STATEMENTS.dueForDeletion.all<KeyRow>(this.db, [now, limit])).map(toKey);
  }

  async dueForRotation(now: number, limit: number): Promise<KmsKeyRecord[]> {
    return (await STATEMENTS.dueForRotation.all<KeyRow>(this.db, [now, limit])).map(toKey);
  }

  async material(keyId: string, version: number): Promise<KeyMaterialRecord | undefined> {
    const row = await STATEMENTS.material.get<MaterialRow>(this.db, [keyId, version]);
    return row && toMaterial(row);
  }

  async materials(keyId: string): Promise<KeyMaterialRecord[]> {
    return (await STATEMENTS.materials.all<MaterialRow>(this.db, [keyId])).map(toMaterial);
  }

  async addMaterial(material: KeyMaterialRecord): Promise<void> {
    await STATEMENTS.insertMaterial.run(this.db, { ...material, rotationType: material.rotationType ?? null });
  }

  async allMaterials(after: { keyId: string; version: number } | undefined, limit: number): Promise<KeyMaterialRecord[]> {
    return (await STATEMENTS.allMaterials.all<MaterialRow>(this.db, [after?.keyId ?? '', after?.version ?? 0, limit])).map(toMaterial);
  }

  async rewrapMaterial(keyId: string, version: number, wrapped: Buffer): Promise<void> {
    await STATEMENTS.rewrapMaterial.run(this.db, [wrapped, keyId, version]);
  }

  async findAlias(account: string, region: string, name: string): Promise<AliasRecord | undefined> {
    const row = await STATEMENTS.findAlias.get<AliasRow>(this.db, [account, region, name]);
    return row && toAlias(row);
  }

  async insertAlias(alias: AliasRecord): Promise<void> {
    await STATEMENTS.insertAlias.run(this.db, alias);
  }

  async updateAlias(alias: AliasRecord): Promise<void> {
    await STATEMENTS.updateAlias.run(this.db, alias);
  }

  async deleteAlias(account: string, region: string, name: string): Promise<void> {
    await STATEMENTS.deleteAlias.run(this.db, [account, region, name]);
  }

  async listAliases(account: string, region: string, query: { keyId?: string; after?: string; limit: number }): Promise<AliasRecord[]> {
    const rows = await STATEMENTS.listAliases.all<AliasRow>(this.db, { account, region, keyId: query.keyId, after: query.after ?? '', limit: query.limit });
    return rows.map(toAlias);
  }
}
