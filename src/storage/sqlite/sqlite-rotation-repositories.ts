import type { Db } from './sqlite-database.js';
import type { LeaseRepository, LeaseState, RotationFunctionRepository } from '../repositories.js';
import type { RotationFunctionRecord } from '../stored-records.js';
import { ROTATION_FUNCTIONS } from '../rows/rotation-function-rows.js';

export class SqliteRotationFunctionRepository implements RotationFunctionRepository {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      find: db.prepare('SELECT * FROM rotation_functions WHERE account = ? AND region = ? AND name = ?'),
      findByArn: db.prepare('SELECT * FROM rotation_functions WHERE arn = ?'),
      list: db.prepare('SELECT * FROM rotation_functions WHERE account = ? AND region = ? ORDER BY name'),
      insert: db.prepare(ROTATION_FUNCTIONS.insert()),
      update: db.prepare(ROTATION_FUNCTIONS.update('account = @account AND region = @region AND name = @name')),
      delete: db.prepare('DELETE FROM rotation_functions WHERE account = ? AND region = ? AND name = ?'),
      all: db.prepare('SELECT * FROM rotation_functions ORDER BY arn'),
    };
  }

  async find(account: string, region: string, name: string): Promise<RotationFunctionRecord | undefined> {
    return ROTATION_FUNCTIONS.readOne(this.stmts.find.get(account, region, name));
  }

  async findByArn(arn: string): Promise<RotationFunctionRecord | undefined> {
    return ROTATION_FUNCTIONS.readOne(this.stmts.findByArn.get(arn));
  }

  async list(account: string, region: string): Promise<RotationFunctionRecord[]> {
    return ROTATION_FUNCTIONS.readAll(this.stmts.list.all(account, region));
  }

  async insert(fn: RotationFunctionRecord): Promise<void> {
    this.stmts.insert.run(ROTATION_FUNCTIONS.params(fn, 'sqlite'));
  }

  async update(fn: RotationFunctionRecord): Promise<void> {
    this.stmts.update.run(ROTATION_FUNCTIONS.params(fn, 'sqlite'));
  }

  async delete(account: string, region: string, name: string): Promise<void> {
    this.stmts.delete.run(account, region, name);
  }

  async all(): Promise<RotationFunctionRecord[]> {
    return ROTATION_FUNCTIONS.readAll(this.stmts.all.all());
  }
}

/** The database's clock in epoch milliseconds: lease expiry is measured by it, as a shared database would. */
const DB_NOW_MS = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

export class SqliteLeaseRepository implements LeaseRepository {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      find: db.prepare(`SELECT holder, token, expires_at - ${DB_NOW_MS} AS expires_in_ms FROM leases WHERE name = ?`),
      // One statement: the row is taken only when free, expired, ours or a gone holder's, atomically.
      acquire: db.prepare(`INSERT INTO leases (name, holder, expires_at, token) VALUES (@name, @holder, ${DB_NOW_MS} + @ttlMs, 1)
        ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
          token = CASE WHEN leases.holder = excluded.holder THEN leases.token ELSE leases.token + 1 END
        WHERE leases.holder = excluded.holder OR leases.expires_at <= ${DB_NOW_MS} OR leases.holder = @gone
        RETURNING token`).pluck(),
      release: db.prepare(`UPDATE leases SET holder = '', expires_at = 0 WHERE name = ? AND holder = ?`),
      holds: db.prepare('SELECT 1 FROM leases WHERE name = ? AND token = ?').pluck(),
    };
  }

  async find(name: string): Promise<LeaseState | undefined> {
    const row = this.stmts.find.get(name) as { holder: string; token: number; expires_in_ms: number } | undefined;
    return row && { holder: row.holder, token: row.token, expiresInMs: row.expires_in_ms };
  }

  async acquire(name: string, holder: string, ttlMs: number, gone?: string): Promise<number | undefined> {
    return this.stmts.acquire.get({ name, holder, ttlMs, gone: gone ?? null }) as number | undefined;
  }

  async release(name: string, holder: string): Promise<void> {
    this.stmts.release.run(name, holder);
  }

  async holds(name: string, token: number): Promise<boolean> {
    return this.stmts.holds.get(name, token) !== undefined;
  }
}
