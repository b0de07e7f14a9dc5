import type { Db } from './sqlite-database.js';
import type { AccessKeyRepository, SettingsRepository } from '../repositories.js';
import type { AccessKeyRecord } from '../stored-records.js';
import { ACCESS_KEYS } from '../rows/access-key-rows.js';

export class SqliteAccessKeyRepository implements AccessKeyRepository {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      find: db.prepare('SELECT * FROM access_keys WHERE access_key_id = ?'),
      insert: db.prepare(ACCESS_KEYS.insert()),
      deleteExpired: db.prepare('DELETE FROM access_keys WHERE expires_at IS NOT NULL AND expires_at < ?'),
      // Temporary keys are not the account's standing keys: first start counts only the others.
      count: db.prepare('SELECT count(*) AS n FROM access_keys WHERE expires_at IS NULL'),
      all: db.prepare('SELECT * FROM access_keys ORDER BY access_key_id'),
      reseal: db.prepare('UPDATE access_keys SET encrypted_secret = ? WHERE access_key_id = ?'),
      listByPrincipal: db.prepare('SELECT * FROM access_keys WHERE principal_arn = ? AND expires_at IS NULL ORDER BY created_at, access_key_id'),
      setStatus: db.prepare('UPDATE access_keys SET status = ? WHERE access_key_id = ?'),
      delete: db.prepare('DELETE FROM access_keys WHERE access_key_id = ?'),
    };
  }

  async find(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    return ACCESS_KEYS.readOne(this.stmts.find.get(accessKeyId));
  }

  async all(): Promise<AccessKeyRecord[]> {
    return ACCESS_KEYS.readAll(this.stmts.all.all());
  }

  async reseal(accessKeyId: string, encryptedSecret: Buffer): Promise<void> {
    this.stmts.reseal.run(encryptedSecret, accessKeyId);
  }

  async insert(key: AccessKeyRecord): Promise<void> {
    this.stmts.insert.run(ACCESS_KEYS.params(key, 'sqlite'));
  }

  async listByPrincipal(principalArn: string): Promise<AccessKeyRecord[]> {
    return ACCESS_KEYS.readAll(this.stmts.listByPrincipal.all(principalArn));
  }

  async setStatus(accessKeyId: string, status: AccessKeyRecord['status']): Promise<void> {
    this.stmts.setStatus.run(status, accessKeyId);
  }

  async delete(accessKeyId: string): Promise<void> {
    this.stmts.delete.run(accessKeyId);
  }

  async deleteExpired(now: number): Promise<number> {
    return this.stmts.deleteExpired.run(now).changes;
  }

  async count(): Promise<number> {
    return (this.stmts.count.get() as { n: number }).n;
  }
}

export class SqliteSettingsRepository implements SettingsRepository {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      get: db.prepare('SELECT value FROM settings WHERE name = ?'),
      set: db.prepare('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
    };
  }

  async get(name: string): Promise<string | undefined> {
    return (this.stmts.get.get(name) as { value: string } | undefined)?.value;
  }

  async set(name: string, value: string): Promise<void> {
    this.stmts.set.run(name, value);
  }
}
