import type { LeaseRepository } from '../repositories.js';
import { sql, type Queryable } from './pg-statement.js';

const STATEMENTS = {
  // One statement: the row is taken only when free, expired or ours; ON CONFLICT locks it meanwhile.
  acquire: sql(`INSERT INTO leases (name, holder, expires_at) VALUES (@name, @holder, @expiresAt)
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
    WHERE leases.holder = excluded.holder OR leases.expires_at <= @now`),
  release: sql('DELETE FROM leases WHERE name = ? AND holder = ?'),
};

export class PgLeaseRepository implements LeaseRepository {
  constructor(private readonly db: Queryable) {}

  async acquire(name: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    return (await STATEMENTS.acquire.run(this.db, { name, holder, now, expiresAt: now + ttlMs })) === 1;
  }

  async release(name: string, holder: string): Promise<void> {
    await STATEMENTS.release.run(this.db, [name, holder]);
  }
}
