import type { Db } from './sqlite-database.js';
import type { KeyRepository } from '../repositories.js';
import type { AliasRecord, KeyMaterialRecord, KmsKeyRecord } from '../stored-records.js';
import { KEY_MATERIALS, KMS_ALIASES, KMS_KEYS } from '../rows/key-rows.js';

export class SqliteKeyRepository implements KeyRepository {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      find: db.prepare('SELECT * FROM kms_keys WHERE id = ?'),
      insert: db.prepare(KMS_KEYS.insert()),
      update: db.prepare(KMS_KEYS.update('id = @id')),
      list: db.prepare('SELECT * FROM kms_keys WHERE account = ? AND region = ? AND id > ? ORDER BY id LIMIT ?'),
      destroy: db.prepare('DELETE FROM kms_keys WHERE id = ?'),
      dueForDeletion: db.prepare(
        'SELECT * FROM kms_keys WHERE deletion_date IS NOT NULL AND deletion_date <= ? ORDER BY deletion_date LIMIT ?',
      ),
      dueForRotation: db.prepare(`SELECT * FROM kms_keys WHERE next_rotation_at IS NOT NULL AND next_rotation_at <= ?
        AND state = 'Enabled' ORDER BY next_rotation_at LIMIT ?`),
      insertMaterial: db.prepare(KEY_MATERIALS.insert()),
      material: db.prepare('SELECT * FROM kms_key_materials WHERE key_id = ? AND version = ?'),
      materials: db.prepare('SELECT * FROM kms_key_materials WHERE key_id = ? ORDER BY version'),
      allMaterials: db.prepare(`SELECT * FROM kms_key_materials WHERE (key_id, version) > (?, ?)
        ORDER BY key_id, version LIMIT ?`),
      rewrapMaterial: db.prepare('UPDATE kms_key_materials SET wrapped = ? WHERE key_id = ? AND version = ?'),
      findAlias: db.prepare('SELECT * FROM kms_aliases WHERE account = ? AND region = ? AND name = ?'),
      insertAlias: db.prepare(KMS_ALIASES.insert()),
      updateAlias: db.prepare(KMS_ALIASES.update('account = @account AND region = @region AND name = @name')),
      deleteAlias: db.prepare('DELETE FROM kms_aliases WHERE account = ? AND region = ? AND name = ?'),
      listAliases: db.prepare(`SELECT * FROM kms_aliases WHERE account = @account AND region = @region AND name > @after
        AND (@keyId IS NULL OR key_id = @keyId) ORDER BY name LIMIT @limit`),
    };
  }

  async find(id: string): Promise<KmsKeyRecord | undefined> {
    return KMS_KEYS.readOne(this.stmts.find.get(id));
  }

  async insert(key: KmsKeyRecord, material: KeyMaterialRecord): Promise<void> {
    this.stmts.insert.run(KMS_KEYS.params(key, 'sqlite'));
    await this.addMaterial(material);
  }

  async update(key: KmsKeyRecord): Promise<void> {
    this.stmts.update.run(KMS_KEYS.params(key, 'sqlite'));
  }

  async list(account: string, region: string, after: string | undefined, limit: number): Promise<KmsKeyRecord[]> {
    return KMS_KEYS.readAll(this.stmts.list.all(account, region, after ?? '', limit));
  }

  async destroy(id: string): Promise<void> {
    // Materials and aliases go with the key (ON DELETE CASCADE).
    this.stmts.destroy.run(id);
  }

  async dueForDeletion(now: number, limit: number): Promise<KmsKeyRecord[]> {
    return KMS_KEYS.readAll(this.stmts.dueForDeletion.all(now, limit));
  }

  async dueForRotation(now: number, limit: number): Promise<KmsKeyRecord[]> {
    return KMS_KEYS.readAll(this.stmts.dueForRotation.all(now, limit));
  }

  async material(keyId: string, version: number): Promise<KeyMaterialRecord | undefined> {
    return KEY_MATERIALS.readOne(this.stmts.material.get(keyId, version));
  }

  async materials(keyId: string): Promise<KeyMaterialRecord[]> {
    return KEY_MATERIALS.readAll(this.stmts.materials.all(keyId));
  }

  async addMaterial(material: KeyMaterialRecord): Promise<void> {
    this.stmts.insertMaterial.run(KEY_MATERIALS.params(material, 'sqlite'));
  }

  async allMaterials(after: { keyId: string; version: number } | undefined, limit: number): Promise<KeyMaterialRecord[]> {
    return KEY_MATERIALS.readAll(this.stmts.allMaterials.all(after?.keyId ?? '', after?.version ?? 0, limit));
  }

  async rewrapMaterial(keyId: string, version: number, wrapped: Buffer): Promise<void> {
    this.stmts.rewrapMaterial.run(wrapped, keyId, version);
  }

  async findAlias(account: string, region: string, name: string): Promise<AliasRecord | undefined> {
    return KMS_ALIASES.readOne(this.stmts.findAlias.get(account, region, name));
  }

  async insertAlias(alias: AliasRecord): Promise<void> {
    this.stmts.insertAlias.run(KMS_ALIASES.params(alias, 'sqlite'));
  }

  async updateAlias(alias: AliasRecord): Promise<void> {
    this.stmts.updateAlias.run(KMS_ALIASES.params(alias, 'sqlite'));
  }

  async deleteAlias(account: string, region: string, name: string): Promise<void> {
    this.stmts.deleteAlias.run(account, region, name);
  }

  async listAliases(account: string, region: string, query: { keyId?: string; after?: string; limit: number }): Promise<AliasRecord[]> {
    const rows = this.stmts.listAliases.all({ account, region, keyId: query.keyId ?? null, after: query.after ?? '', limit: query.limit });
    return KMS_ALIASES.readAll(rows);
  }
}
