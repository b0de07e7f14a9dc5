import { migrations } from './migrations.js';
import { migrated, openDurable, type Db, type OpenOptions } from './sqlite-durable.js';

export { BUSY_TIMEOUT_MS, type Db } from './sqlite-durable.js';

/**
 * Opens the database with the durability Coffer promises: WAL with a full
 * sync on every commit, foreign keys on. Runs pending migrations.
 */
export function openSqlite(path: string, options: OpenOptions = {}): Db {
  const db = openDurable(path, options);
  // A larger page cache keeps the hot secrets' pages in memory (64 MiB at most).
  db.pragma('cache_size = -65536');
  db.pragma('foreign_keys = ON');
  return migrated(db, migrations);
}
