import type { Db } from './sqlite-database.js';
import type { LeaseRepository, RotationFunctionRepository } from '../repositories.js';
import type { RotationFunctionRecord } from '../records.js';
import { functionParams, toFunction, type FunctionRow } from '../rows/rotation-function-rows.js';

export class SqliteRotationFunctionRepository implements RotationFunctionRepository {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      find: db.prepare('SELECT * FROM rotation_functions WHERE account = ? AND region = ? AND name = ?'),
      findByArn: db.prepare('SELECT * FROM rotation_functions WHERE arn = ?'),
      list: db.prepare('SELECT * FROM rotation_functions WHERE account = ? AND region = ? ORDER BY name'),
      insert: db.prepare(`INSERT INTO rotation_functions (account, region, name, arn, kind, url, command, timeout_seconds,
        sealed_signing_key, created_at, updated_at) VALUES (@account, @region, @name, @arn, @kind, @url, @command,
        @timeoutSeconds, @sealedSigningKey, @createdAt, @updatedAt)`),
      update: db.prepare(`UPDATE rotation_functions SET kind = @kind, url = @url, command = @command,
        timeout_seconds = @timeoutSeconds, sealed_signing_key = @sealedSigningKey, updated_at = @updatedAt
        WHERE account = @account AND region = @region AND name = @name`),
      delete: db.prepare('DELETE FROM rotation_functions WHERE account = ? AND region = ? AND name = ?'),
      all: db.prepare('SELECT * FROM rotation_functions ORDER BY arn'),
    };
  }

  async find(account: string, region: string, name: string): Promise<RotationFunctionRecord | undefined> {
    const row = this.stmts.find.get(account, region, name) as FunctionRow | undefined;
    return row && toFunction(row);
  }

  async findByArn(arn: string): Promise<RotationFunctionRecord | undefined> {
    const row = this.stmts.findByArn.get(arn) as FunctionRow | undefined;
    return row && toFunction(row);
  }

  async list(account: string, region: string): Promise<RotationFunctionRecord[]> {
    return (this.stmts.list.all(account, region) as FunctionRow[]).map(toFunction);
  }

  async insert(fn: RotationFunctionRecord): Promise<void> {
    this.stmts.insert.run(functionParams(fn));
  }

  async update(fn: RotationFunctionRecord): Promise<void> {
    this.stmts.update.run(functionParams(fn));
  }

  async delete(account: string, region: string, name: string): Promise<void> {
    this.stmts.delete.run(account, region, name);
  }

  async all(): Promise<RotationFunctionRecord[]> {
    return (this.stmts.all.all() as FunctionRow[]).map(toFunction);
  }
}

export class SqliteLeaseRepository implements LeaseRepository {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      // One statement: the row is taken only when free, expired or ours, atomically.
      acquire: db.prepare(`INSERT INTO leases (name, holder, expires_at) VALUES (@name, @holder, @expiresAt)
        ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
        WHERE leases.holder = excluded.holder OR leases.expires_at <= @now`),
      release: db.prepare('DELETE FROM leases WHERE name = ? AND holder = ?'),
    };
  }

  async acquire(name: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    return this.stmts.acquire.run({ name, holder, now, expiresAt: now + ttlMs }).changes === 1;
  }

  async release(name: string, holder: string): Promise<void> {
    this.stmts.release.run(name, holder);
  }
}
