import type { KeyRepository } from '../repositories.js';
import type { AliasRecord, KeyMaterialRecord, KmsKeyRecord } from '../stored-records.js';
import { KEY_MATERIALS, KMS_ALIASES, KMS_KEYS } from '../rows/key-rows.js';
import { sql, type Queryable } from './pg-statement.js';

const STATEMENTS = {
  find: sql('SELECT * FROM kms_keys WHERE id = ?'),
  insert: sql(KMS_KEYS.insert()),
  update: sql(KMS_KEYS.update('id = @id')),
  list: sql('SELECT * FROM kms_keys WHERE account = ? AND region = ? AND id > ? ORDER BY id LIMIT ?'),
  // Materials and aliases go with the key (ON DELETE CASCADE).
  destroy: sql('DELETE FROM kms_keys WHERE id = ?'),
  dueForDeletion: sql('SELECT * FROM kms_keys WHERE deletion_date IS NOT NULL AND deletion_date <= ? ORDER BY deletion_date LIMIT ?'),
  dueForRotation: sql(`SELECT * FROM kms_keys WHERE next_rotation_at IS NOT NULL AND next_rotation_at <= ?
    AND state = 'Enabled' ORDER BY next_rotation_at LIMIT ?`),
  insertMaterial: sql(KEY_MATERIALS.insert()),
  material: sql('SELECT * FROM kms_key_materials WHERE key_id = ? AND version = ?'),
  materials: sql('SELECT * FROM kms_key_materials WHERE key_id = ? ORDER BY version'),
  allMaterials: sql('SELECT * FROM kms_key_materials WHERE (key_id, version) > (?, ?) ORDER BY key_id, version LIMIT ?'),
  rewrapMaterial: sql('UPDATE kms_key_materials SET wrapped = ? WHERE key_id = ? AND version = ?'),
  findAlias: sql('SELECT * FROM kms_aliases WHERE account = ? AND region = ? AND name = ?'),
  insertAlias: sql(KMS_ALIASES.insert()),
  updateAlias: sql(KMS_ALIASES.update('account = @account AND region = @region AND name = @name')),
  deleteAlias: sql('DELETE FROM kms_aliases WHERE account = ? AND region = ? AND name = ?'),
  listAliases: sql(`SELECT * FROM kms_aliases WHERE account = @account AND region = @region AND name > @after
    AND (@keyId::text IS NULL OR key_id = @keyId) ORDER BY name LIMIT @limit`),
};

export class PgKeyRepository implements KeyRepository {
  constructor(private readonly db: Queryable) {}

  async find(id: string): Promise<KmsKeyRecord | undefined> {
    return KMS_KEYS.readOne(await STATEMENTS.find.get(this.db, [id]));
  }

  async insert(key: KmsKeyRecord, material: KeyMaterialRecord): Promise<void> {
    await STATEMENTS.insert.run(this.db, KMS_KEYS.params(key, 'postgres'));
    await this.addMaterial(material);
  }

  async update(key: KmsKeyRecord): Promise<void> {
    await STATEMENTS.update.run(this.db, KMS_KEYS.params(key, 'postgres'));
  }

  async list(account: string, region: string, after: string | undefined, limit: number): Promise<KmsKeyRecord[]> {
    return KMS_KEYS.readAll(await STATEMENTS.list.all(this.db, [account, region, after ?? '', limit]));
  }

  async destroy(id: string): Promise<void> {
    await STATEMENTS.destroy.run(this.db, [id]);
  }

  async dueForDeletion(now: number, limit: number): Promise<KmsKeyRecord[]> {
    return KMS_KEYS.readAll(await STATEMENTS.dueForDeletion.all(this.db, [now, limit]));
  }

  async dueForRotation(now: number, limit: number): Promise<KmsKeyRecord[]> {
    return KMS_KEYS.readAll(await STATEMENTS.dueForRotation.all(this.db, [now, limit]));
  }

  async material(keyId: string, version: number): Promise<KeyMaterialRecord | undefined> {
    return KEY_MATERIALS.readOne(await STATEMENTS.material.get(this.db, [keyId, version]));
  }

  async materials(keyId: string): Promise<KeyMaterialRecord[]> {
    return KEY_MATERIALS.readAll(await STATEMENTS.materials.all(this.db, [keyId]));
  }

  async addMaterial(material: KeyMaterialRecord): Promise<void> {
    await STATEMENTS.insertMaterial.run(this.db, KEY_MATERIALS.params(material, 'postgres'));
  }

  async allMaterials(after: { keyId: string; version: number } | undefined, limit: number): Promise<KeyMaterialRecord[]> {
    return KEY_MATERIALS.readAll(await STATEMENTS.allMaterials.all(this.db, [after?.keyId ?? '', after?.version ?? 0, limit]));
  }

  async rewrapMaterial(keyId: string, version: number, wrapped: Buffer): Promise<void> {
    await STATEMENTS.rewrapMaterial.run(this.db, [wrapped, keyId, version]);
  }

  async findAlias(account: string, region: string, name: string): Promise<AliasRecord | undefined> {
    return KMS_ALIASES.readOne(await STATEMENTS.findAlias.get(this.db, [account, region, name]));
  }

  async insertAlias(alias: AliasRecord): Promise<void> {
    await STATEMENTS.insertAlias.run(this.db, KMS_ALIASES.params(alias, 'postgres'));
  }

  async updateAlias(alias: AliasRecord): Promise<void> {
    await STATEMENTS.updateAlias.run(this.db, KMS_ALIASES.params(alias, 'postgres'));
  }

  async deleteAlias(account: string, region: string, name: string): Promise<void> {
    await STATEMENTS.deleteAlias.run(this.db, [account, region, name]);
  }

  async listAliases(account: string, region: string, query: { keyId?: string; after?: string; limit: number }): Promise<AliasRecord[]> {
    return KMS_ALIASES.readAll(await STATEMENTS.listAliases.all(this.db, { account, region, keyId: query.keyId, after: query.after ?? '', limit: query.limit }));
  }
}
