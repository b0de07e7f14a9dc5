import type { Db } from './sqlite-database.js';
import type { KeyRepository } from '../repositories.js';
import type { AliasRecord, KeyMaterialRecord, KmsKeyRecord } from '../stored-records.js';
import { keyParams, toAlias, toKey, toMaterial, type AliasRow, type KeyRow, type MaterialRow } from '../rows/key-rows.js';

export class SqliteKeyRepository implements KeyRepository {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      find: db.prepare('SELECT * FROM kms_keys WHERE id = ?'),
      insert: db.prepare(`INSERT INTO kms_keys (id, account, region, arn, description, key_manager, state, created_at,
        deletion_date, current_material, policy, tags, rotation_period_days, next_rotation_at, on_demand_rotations)
        VALUES (@id, @account, @region, @arn, @description, @keyManager, @state, @createdAt, @deletionDate,
        @currentMaterial, @policy, @tags, @rotationPeriodDays, @nextRotationAt, @onDemandRotations)`),
      update: db.prepare(`UPDATE kms_keys SET description = @description, state = @state, deletion_date = @deletionDate,
        current_material = @currentMaterial, policy = @policy, tags = @tags, rotation_period_days = @rotationPeriodDays,
        next_rotation_at = @nextRotationAt, on_demand_rotations = @onDemandRotations WHERE id = @id`),
      list: db.prepare('SELECT * FROM kms_keys WHERE account = ? AND region = ? AND id > ? ORDER BY id LIMIT ?'),
      destroy: db.prepare('DELETE FROM kms_keys WHERE id = ?'),
      dueForDeletion: db.prepare(
        'SELECT * FROM kms_keys WHERE deletion_date IS NOT NULL AND deletion_date <= ? ORDER BY deletion_date LIMIT ?',
      ),
      dueForRotation: db.prepare(`SELECT * FROM kms_keys WHERE next_rotation_at IS NOT NULL AND next_rotation_at <= ?
        AND state = 'Enabled' ORDER BY next_rotation_at LIMIT ?`),
      insertMaterial: db.prepare(`INSERT INTO kms_key_materials (key_id, version, wrapped, created_at, material_id, rotation_type)
        VALUES (@keyId, @version, @wrapped, @createdAt, @materialId, @rotationType)`),
      material: db.prepare('SELECT * FROM kms_key_materials WHERE key_id = ? AND version = ?'),
      materials: db.prepare('SELECT * FROM kms_key_materials WHERE key_id = ? ORDER BY version'),
      allMaterials: db.prepare(`SELECT * FROM kms_key_materials WHERE (key_id, version) > (?, ?)
        ORDER BY key_id, version LIMIT ?`),
      rewrapMaterial: db.prepare('UPDATE kms_key_materials SET wrapped = ? WHERE key_id = ? AND version = ?'),
      findAlias: db.prepare('SELECT * FROM kms_aliases WHERE account = ? AND region = ? AND name = ?'),
      insertAlias: db.prepare(`INSERT INTO kms_aliases (account, region, name, key_id, created_at, updated_at)
        VALUES (@account, @region, @name, @keyId, @createdAt, @updatedAt)`),
      updateAlias: db.prepare(`UPDATE kms_aliases SET key_id = @keyId, updated_at = @updatedAt
        WHERE account = @account AND region = @region AND name = @name`),
      deleteAlias: db.prepare('DELETE FROM kms_aliases WHERE account = ? AND region = ? AND name = ?'),
      listAliases: db.prepare(`SELECT * FROM kms_aliases WHERE account = @account AND region = @region AND name > @after
        AND (@keyId IS NULL OR key_id = @keyId) ORDER BY name LIMIT @limit`),
    };
  }

  async find(id: string): Promise<KmsKeyRecord | undefined> {
    const row = this.stmts.find.get(id) as KeyRow | undefined;
    return row && toKey(row);
  }

  async insert(key: KmsKeyRecord, material: KeyMaterialRecord): Promise<void> {
    this.stmts.insert.run(keyParams(key));
    await this.addMaterial(material);
  }

  async update(key: KmsKeyRecord): Promise<void> {
    this.stmts.update.run(keyParams(key));
  }

  async list(account: string, region: string, after: string | undefined, limit: number): Promise<KmsKeyRecord[]> {
    return (this.stmts.list.all(account, region, after ?? '', limit) as KeyRow[]).map(toKey);
  }

  async destroy(id: string): Promise<void> {
    // Materials and aliases go with the key (ON DELETE CASCADE).
    this.stmts.destroy.run(id);
  }

  async dueForDeletion(now: number, limit: number): Promise<KmsKeyRecord[]> {
    return (this.stmts.dueForDeletion.all(now, limit) as KeyRow[]).map(toKey);
  }

  async dueForRotation(now: number, limit: number): Promise<KmsKeyRecord[]> {
    return (this.stmts.dueForRotation.all(now, limit) as KeyRow[]).map(toKey);
  }

  async material(keyId: string, version: number): Promise<KeyMaterialRecord | undefined> {
    const row = this.stmts.material.get(keyId, version) as MaterialRow | undefined;
    return row && toMaterial(row);
  }

  async materials(keyId: string): Promise<KeyMaterialRecord[]> {
    return (this.stmts.materials.all(keyId) as MaterialRow[]).map(toMaterial);
  }

  async addMaterial(material: KeyMaterialRecord): Promise<void> {
    this.stmts.insertMaterial.run({ ...material, rotationType: material.rotationType ?? null });
  }

  async allMaterials(after: { keyId: string; version: number } | undefined, limit: number): Promise<KeyMaterialRecord[]> {
    return (this.stmts.allMaterials.all(after?.keyId ?? '', after?.version ?? 0, limit) as MaterialRow[]).map(toMaterial);
  }

  async rewrapMaterial(keyId: string, version: number, wrapped: Buffer): Promise<void> {
    this.stmts.rewrapMaterial.run(wrapped, keyId, version);
  }

  async findAlias(account: string, region: string, name: string): Promise<AliasRecord | undefined> {
    const row = this.stmts.findAlias.get(account, region, name) as AliasRow | undefined;
    return row && toAlias(row);
  }

  async insertAlias(alias: AliasRecord): Promise<void> {
    this.stmts.insertAlias.run(alias);
  }

  async updateAlias(alias: AliasRecord): Promise<void> {
    this.stmts.updateAlias.run(alias);
  }

  async deleteAlias(account: string, region: string, name: string): Promise<void> {
    this.stmts.deleteAlias.run(account, region, name);
  }

  async listAliases(account: string, region: string, query: { keyId?: string; after?: string; limit: number }): Promise<AliasRecord[]> {
    const rows = this.stmts.listAliases.all({ account, region, keyId: query.keyId ?? null, after: query.after ?? '', limit: query.limit });
    return (rows as AliasRow[]).map(toAlias);
  }
}
