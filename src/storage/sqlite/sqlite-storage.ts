import { openSqlite, type Db } from './sqlite-database.js';
import { SqliteSecretRepository } from './sqlite-secret-repository.js';
import { SqliteKeyRepository } from './sqlite-key-repository.js';
import { SqliteAccessKeyRepository, SqliteSettingsRepository } from './sqlite-access-key-repository.js';
import type { Repositories, Storage } from '../repositories.js';

/**
 * SQLite storage on one connection. better-sqlite3 is synchronous, so a unit
 * of work that awaits only these repositories runs start to finish without
 * yielding to other requests; the queue below keeps units strictly one after
 * another even when one awaits real I/O.
 */
export class SqliteStorage implements Storage {
  readonly secrets: SqliteSecretRepository;
  readonly keys: SqliteKeyRepository;
  readonly accessKeys: SqliteAccessKeyRepository;
  readonly settings: SqliteSettingsRepository;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly begin;
  private readonly commit;
  private readonly rollback;

  constructor(private readonly db: Db) {
    this.secrets = new SqliteSecretRepository(db);
    this.keys = new SqliteKeyRepository(db);
    this.accessKeys = new SqliteAccessKeyRepository(db);
    this.settings = new SqliteSettingsRepository(db);
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
  }

  static open(path: string): SqliteStorage {
    return new SqliteStorage(openSqlite(path));
  }

  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      this.begin.run();
      try {
        const result = await work(this);
        this.commit.run();
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.rollback.run();
        throw error;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    await this.queue;
    this.db.close();
  }
}
