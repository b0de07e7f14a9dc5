import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditRecord } from './audit-record.js';
import type { Digest } from './digest.js';
import type { Entry } from './hash-chain.js';

/** Entries read per query: a ten-million-row log is never held in memory at once. */
export const PAGE_SIZE = 5_000;

/** How long to wait for a lock before saying the database is in use. */
const LOCK_WAIT_MS = 1_000;

interface EntryRow {
  sequence: number;
  record: string;
  previous_hash: string;
  hash: string;
}

/**
 * A data directory's audit log, read straight from its database file with a
 * read-only connection, while no server has the file open. A server not in
 * cluster mode holds its database with an exclusive lock for as long as it
 * runs; a copy (coffer.db with its -wal file, taken while the server is
 * stopped) reads as well as the original.
 */
export class OfflineAuditLog {
  private readonly db: Database.Database;
  private readonly page;

  private constructor(readonly path: string) {
    this.db = new Database(path, { readonly: true, fileMustExist: true, timeout: LOCK_WAIT_MS });
    this.page = this.db.prepare('SELECT sequence, record, previous_hash, hash FROM audit_entries WHERE sequence > ? ORDER BY sequence LIMIT ?');
  }

  static open(dataDir: string): OfflineAuditLog {
    const path = join(dataDir, 'coffer.db');
    if (!existsSync(path)) throw new Error(`no database at ${path}`);
    try {
      return new OfflineAuditLog(path);
    } catch (error) {
      throw explain(error, path);
    }
  }

  /** Every signed digest, oldest first. They are few (one per many entries), so they are read at once. */
  digests(): Digest[] {
    return this.read(() => this.db.prepare('SELECT sequence, hash, time, signature FROM audit_digests ORDER BY sequence').all() as Digest[]);
  }

  /** A setting's value, if the database has it. */
  setting(name: string): string | undefined {
    const row = this.read(() => this.db.prepare('SELECT value FROM settings WHERE name = ?').get(name) as { value: string } | undefined);
    return row?.value;
  }

  /** Every entry in sequence order, lazily, a page at a time. */
  *entries(pageSize = PAGE_SIZE): Generator<Entry> {
    let after = 0;
    for (;;) {
      const rows = this.read(() => this.page.all(after, pageSize) as EntryRow[]);
      for (const row of rows) yield toEntry(row);
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]!.sequence;
    }
  }

  close(): void {
    this.db.close();
  }

  private read<T>(query: () => T): T {
    try {
      return query();
    } catch (error) {
      throw explain(error, this.path);
    }
  }
}

function toEntry(row: EntryRow): Entry {
  return { sequence: row.sequence, record: parseRecord(row.record), previousHash: row.previous_hash, hash: row.hash };
}

/**
 * A record that is not even JSON was altered: stand in a value no entry's hash
 * can cover, so that the verifier names the entry as altered rather than the
 * whole run failing.
 */
function parseRecord(json: string): AuditRecord {
  try {
    return JSON.parse(json) as AuditRecord;
  } catch {
    return { unparseableRecord: json } as unknown as AuditRecord;
  }
}

/** SQLite's terse errors, said in terms of what the operator can do about them. */
function explain(error: unknown, path: string): Error {
  const { code, message } = error as { code?: string; message?: string };
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new Error(
      `${path} is locked, most likely by a running server (it holds its database exclusively): ` +
        'stop the server, or verify a copy of the data directory taken while it was stopped',
    );
  }
  if (code === 'SQLITE_NOTADB') return new Error(`${path} is not a SQLite database`);
  if (/no such table/.test(message ?? '')) return new Error(`${path} has no audit log (${message})`);
  return new Error(`${path}: ${message ?? String(error)}`);
}
