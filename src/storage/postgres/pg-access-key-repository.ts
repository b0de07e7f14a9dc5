import type { AccessKeyRepository } from '../repositories.js';
import type { AccessKeyRecord } from '../stored-records.js';
import { ACCESS_KEYS } from '../rows/access-key-rows.js';
import { sql, type Queryable } from './pg-statement.js';

const STATEMENTS = {
  find: sql('SELECT * FROM access_keys WHERE access_key_id = ?'),
  insert: sql(ACCESS_KEYS.insert()),
  deleteExpired: sql('DELETE FROM access_keys WHERE expires_at IS NOT NULL AND expires_at < ?'),
  // Temporary keys are not the account's standing keys: first start counts only the others.
  count: sql('SELECT count(*) AS n FROM access_keys WHERE expires_at IS NULL'),
  all: sql('SELECT * FROM access_keys ORDER BY access_key_id'),
  reseal: sql('UPDATE access_keys SET encrypted_secret = ? WHERE access_key_id = ?'),
  listByPrincipal: sql('SELECT * FROM access_keys WHERE principal_arn = ? AND expires_at IS NULL ORDER BY created_at, access_key_id'),
  setStatus: sql('UPDATE access_keys SET status = ? WHERE access_key_id = ?'),
  delete: sql('DELETE FROM access_keys WHERE access_key_id = ?'),
};

export class PgAccessKeyRepository implements AccessKeyRepository {
  constructor(private readonly db: Queryable) {}

  async find(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    return ACCESS_KEYS.readOne(await STATEMENTS.find.get(this.db, [accessKeyId]));
  }

  async insert(key: AccessKeyRecord): Promise<void> {
    await STATEMENTS.insert.run(this.db, ACCESS_KEYS.params(key, 'postgres'));
  }

  async count(): Promise<number> {
    return (await STATEMENTS.count.get<{ n: number }>(this.db))!.n;
  }

  async all(): Promise<AccessKeyRecord[]> {
    return ACCESS_KEYS.readAll(await STATEMENTS.all.all(this.db));
  }

  async reseal(accessKeyId: string, encryptedSecret: Buffer): Promise<void> {
    await STATEMENTS.reseal.run(this.db, [encryptedSecret, accessKeyId]);
  }

  async deleteExpired(now: number): Promise<number> {
    return STATEMENTS.deleteExpired.run(this.db, [now]);
  }

  async listByPrincipal(principalArn: string): Promise<AccessKeyRecord[]> {
    return ACCESS_KEYS.readAll(await STATEMENTS.listByPrincipal.all(this.db, [principalArn]));
  }

  async setStatus(accessKeyId: string, status: AccessKeyRecord['status']): Promise<void> {
    await STATEMENTS.setStatus.run(this.db, [status, accessKeyId]);
  }

  async delete(accessKeyId: string): Promise<void> {
    await STATEMENTS.delete.run(this.db, [accessKeyId]);
  }
}
