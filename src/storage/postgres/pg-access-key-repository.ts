import type { AccessKeyRepository } from '../repositories.js';
import type { AccessKeyRecord } from '../stored-records.js';
import { accessKeyParams, toAccessKey, type AccessKeyRow } from '../rows/access-key-rows.js';
import { sql, type Queryable } from './pg-statement.js';

const STATEMENTS = {
  find: sql('SELECT * FROM access_keys WHERE access_key_id = ?'),
  insert: sql(`INSERT INTO access_keys (access_key_id, encrypted_secret, principal_arn, status, created_at,
    expires_at, scope_secret_arn, session_token_hash, session_issuer_arn, session_policy) VALUES (@accessKeyId,
    @encryptedSecret, @principalArn, @status, @createdAt, @expiresAt, @scopeSecretArn, @sessionTokenHash,
    @sessionIssuerArn, @sessionPolicy)`),
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
    const row = await STATEMENTS.find.get<AccessKeyRow>(this.db, [accessKeyId]);
    return row && toAccessKey(row);
  }

  async insert(key: AccessKeyRecord): Promise<void> {
    await STATEMENTS.insert.run(this.db, accessKeyParams(key));
  }

  async count(): Promise<number> {
    return (await STATEMENTS.count.get<{ n: number }>(this.db))!.n;
  }

  async all(): Promise<AccessKeyRecord[]> {
    return (await STATEMENTS.all.all<AccessKeyRow>(this.db)).map(toAccessKey);
  }

  async reseal(accessKeyId: string, encryptedSecret: Buffer): Promise<void> {
    await STATEMENTS.reseal.run(this.db, [encryptedSecret, accessKeyId]);
  }

  async deleteExpired(now: number): Promise<number> {
    return STATEMENTS.deleteExpired.run(this.db, [now]);
  }

  async listByPrincipal(principalArn: string): Promise<AccessKeyRecord[]> {
    return (await STATEMENTS.listByPrincipal.all<AccessKeyRow>(this.db, [principalArn])).map(toAccessKey);
  }

  async setStatus(accessKeyId: string, status: AccessKeyRecord['status']): Promise<void> {
    await STATEMENTS.setStatus.run(this.db, [status, accessKeyId]);
  }

  async delete(accessKeyId: string): Promise<void> {
    await STATEMENTS.delete.run(this.db, [accessKeyId]);
  }
}
