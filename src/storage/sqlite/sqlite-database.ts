import Database from 'better-sqlite3';
import { migrations } from './migrations.js';

export type Db = Database.Database;

/** How long a statement waits for a lock another process holds. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens the database with the durability Coffer promises: WAL with a full
 * sync on every commit, foreign keys on. Runs pending migrations.
 */
export function openSqlite(path: string, options: { shared?: boolean } = {}): Db {
  const db = new Database(path);
  // Unless several worker processes share it, the database belongs to one
  // process: holding the lock for good spares two system calls per statement
  // (and refuses a second server on the same data directory). It must be set
  // before WAL is entered.
  if (!options.shared) db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('journal_mode = WAL');
  // A larger page cache keeps the hot secrets' pages in memory (64 MiB at most).
  db.pragma('cache_size = -65536');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(migration.version, Date.now());
    })();
  }
}
