import { migrations } from './migrations.js';
import { migrated, openDurable, type Db, type OpenOptions } from './sqlite-durable.js';

export { BUSY_TIMEOUT_MS, type Db } from './sqlite-durable.js';

/**
 * Opens the database with the durability Coffer promises: WAL with a full
 * sync on every commit, foreign keys on. Runs pending migrations, after
 * `check` (which looks at the database as it was found, and may refuse it).
 */
export function openSqlite(path: string, options: OpenOptions & { check?: (db: Db) => void } = {}): Db {
  const db = openDurable(path, options);
  try {
    // A larger page cache keeps the hot secrets' pages in memory (64 MiB at most).
    db.pragma('cache_size = -65536');
    db.pragma('foreign_keys = ON');
    options.check?.(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return migrated(db, migrations);
}
