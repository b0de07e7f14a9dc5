import type { Db } from './sqlite-database.js';
import type { KeyRepository } from '../repositories.js';
import type { AliasRecord, KeyMaterialRecord, KmsKeyRecord } from '../records.js';

interface KeyRow {
  id: string;
  account: string;
  region: string;
  arn: string;
  description: string;
  key_manager: 'AWS' | 'CUSTOMER';
  state: KmsKeyRecord['state'];
  created_at: number;
  deletion_date: number | null;
  current_material: number;
}

export class SqliteKeyRepository implements KeyRepository {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      find: db.prepare('SELECT * FROM kms_keys WHERE id = ?'),
      insert: db.prepare(`INSERT INTO kms_keys (id, account, region, arn, description, key_manager, state, created_at,
        deletion_date, current_material) VALUES (@id, @account, @region, @arn, @description, @keyManager, @state,
        @createdAt, @deletionDate, @currentMaterial)`),
      insertMaterial: db.prepare('INSERT INTO kms_key_materials (key_id, version, wrapped, created_at) VALUES (?, ?, ?, ?)'),
      material: db.prepare('SELECT key_id, version, wrapped, created_at FROM kms_key_materials WHERE key_id = ? AND version = ?'),
      findAlias: db.prepare('SELECT * FROM kms_aliases WHERE account = ? AND region = ? AND name = ?'),
      insertAlias: db.prepare(`INSERT INTO kms_aliases (account, region, name, key_id, created_at, updated_at)
        VALUES (@account, @region, @name, @keyId, @createdAt, @updatedAt)`),
    };
  }

  async find(id: string): Promise<KmsKeyRecord | undefined> {
    const row = this.stmts.find.get(id) as KeyRow | undefined;
    if (!row) return undefined;
    return {
      id: row.id,
      account: row.account,
      region: row.region,
      arn: row.arn,
      description: row.description,
      keyManager: row.key_manager,
      state: row.state,
      createdAt: row.created_at,
      deletionDate: row.deletion_date ?? undefined,
      currentMaterial: row.current_material,
    };
  }

  async insert(key: KmsKeyRecord, material: KeyMaterialRecord): Promise<void> {
    this.stmts.insert.run({ ...key, deletionDate: key.deletionDate ?? null });
    this.stmts.insertMaterial.run(material.keyId, material.version, material.wrapped, material.createdAt);
  }

  async material(keyId: string, version: number): Promise<KeyMaterialRecord | undefined> {
    const row = this.stmts.material.get(keyId, version) as
      | { key_id: string; version: number; wrapped: Buffer; created_at: number }
      | undefined;
    return row && { keyId: row.key_id, version: row.version, wrapped: row.wrapped, createdAt: row.created_at };
  }

  async findAlias(account: string, region: string, name: string): Promise<AliasRecord | undefined> {
    const row = this.stmts.findAlias.get(account, region, name) as
      | { account: string; region: string; name: string; key_id: string; created_at: number; updated_at: number }
      | undefined;
    return (
      row && {
        account: row.account,
        region: row.region,
        name: row.name,
        keyId: row.key_id,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      }
    );
  }

  async insertAlias(alias: AliasRecord): Promise<void> {
    this.stmts.insertAlias.run(alias);
  }
}
