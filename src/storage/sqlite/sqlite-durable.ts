import Database from 'better-sqlite3';
import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataDirError, fileError } from '../../errors/file-error.js';
import { describeHolders, processesHoldingFile } from '../../errors/process-holders.js';

export type Db = Database.Database;

/** How long a statement waits for a lock another process holds. */
export const BUSY_TIMEOUT_MS = 5000;

export interface OpenOptions {
  /** Other processes (cluster workers) use the same file. */
  shared?: boolean;
  /** The page size of a file created now (an existing file keeps its own). */
  pageSize?: number;
}

/** A numbered schema change; each runs once, in order, inside one transaction. */
export interface Migration {
  version: number;
  sql: string;
  /** Work done in the same transaction before `sql` (e.g. moving rows out of tables it drops). */
  before?: (db: Db) => void;
}

/** A database file in WAL mode with a full sync on every commit: what every Coffer database is. */
export function openDurable(path: string, options: OpenOptions = {}): Db {
  let db: Db | undefined;
  try {
    db = new Database(path);
    // Takes effect only on a file not yet written, and must come before WAL is entered.
    if (options.pageSize) db.pragma(`page_size = ${options.pageSize}`);
    // Unless several worker processes share it, the database belongs to one
    // process: holding the lock for good spares two system calls per statement
    // (and refuses a second server on the same data directory). It must be set
    // before WAL is entered.
    if (!options.shared) db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    return db;
  } catch (error) {
    db?.close();
    if (!options.shared && String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY')) throw inUse(path);
    throw fileError(error, path, 'open the database');
  }
}

/** A database another process holds: which one, and what to do. */
function inUse(path: string): DataDirError {
  let real = path;
  try {
    real = realpathSync(path);
  } catch {
    // Named as given.
  }
  const holder = describeHolders(processesHoldingFile(real), 'another process (`fuser` names it)');
  return new DataDirError(
    `the data directory ${dirname(real)} is in use by ${holder}: a Coffer server holds ${real} for itself. Stop that server first, or give this one another --data-dir.`,
  );
}

/**
 * Runs the migrations not yet applied, each in its own transaction with its
 * version's record; refuses a file migrated by a newer build. Each takes the write lock first and looks again, so that
 * processes opening a shared file at once apply each migration once.
 */
export function migrate(db: Db, migrations: readonly Migration[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  // A newer Coffer migrated this file: an older one must not write to a schema it does not know.
  const newest = db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number | null;
  const known = Math.max(...migrations.map((m) => m.version));
  if (newest !== null && newest > known) {
    throw new Error(`${db.name}: the schema is at version ${newest}, newer than this Coffer knows (${known}): a newer Coffer has migrated it; run that version or a later one`);
  }
  const applied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').pluck();
  for (const migration of migrations) {
    if (applied.get(migration.version)) continue;
    db.transaction(() => {
      if (applied.get(migration.version)) return;
      migration.before?.(db);
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(migration.version, Date.now());
    }).immediate();
  }
}

/** The database with its migrations run; closed (releasing its lock) if one fails. */
export function migrated(db: Db, migrations: readonly Migration[]): Db {
  try {
    migrate(db, migrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
