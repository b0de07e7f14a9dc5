import type { LeaseRepository, LeaseState } from '../repositories.js';
import { sql, type Queryable } from './pg-statement.js';

/** The database's clock in epoch milliseconds: leases expire by it, never by a node's. */
const DB_NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

const STATEMENTS = {
  find: sql(`SELECT holder, token, expires_at - ${DB_NOW_MS} AS expires_in_ms FROM leases WHERE name = ?`),
  // One statement: the row is taken only when free, expired, ours or a gone holder's; ON CONFLICT locks it meanwhile.
  acquire: sql(`INSERT INTO leases (name, holder, expires_at, token) VALUES (@name, @holder, ${DB_NOW_MS} + @ttlMs, 1)
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
      token = CASE WHEN leases.holder = excluded.holder THEN leases.token ELSE leases.token + 1 END
    WHERE leases.holder = excluded.holder OR leases.expires_at <= ${DB_NOW_MS} OR leases.holder = @gone
    RETURNING token`),
  release: sql(`UPDATE leases SET holder = '', expires_at = 0 WHERE name = ? AND holder = ?`),
  // FOR SHARE: the lease cannot change hands before the fenced transaction that asks ends.
  holds: sql('SELECT 1 FROM leases WHERE name = ? AND token = ? FOR SHARE'),
};

export class PgLeaseRepository implements LeaseRepository {
  constructor(private readonly db: Queryable) {}

  async find(name: string): Promise<LeaseState | undefined> {
    const row = await STATEMENTS.find.get<{ holder: string; token: string; expires_in_ms: string }>(this.db, [name]);
    return row && { holder: row.holder, token: Number(row.token), expiresInMs: Number(row.expires_in_ms) };
  }

  async acquire(name: string, holder: string, ttlMs: number, gone?: string): Promise<number | undefined> {
    const row = await STATEMENTS.acquire.get<{ token: string }>(this.db, { name, holder, ttlMs, gone: gone ?? null });
    return row && Number(row.token);
  }

  async release(name: string, holder: string): Promise<void> {
    await STATEMENTS.release.run(this.db, [name, holder]);
  }

  async holds(name: string, token: number): Promise<boolean> {
    return (await STATEMENTS.holds.get(this.db, [name, token])) !== undefined;
  }
}
