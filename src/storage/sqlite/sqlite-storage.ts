import { openSqlite, type Db } from './sqlite-database.js';
import { SqliteSecretRepository } from './sqlite-secret-repository.js';
import { SqliteKeyRepository } from './sqlite-key-repository.js';
import { SqliteAccessKeyRepository, SqliteSettingsRepository } from './sqlite-access-key-repository.js';
import type { Repositories, Storage } from '../repositories.js';

/**
 * SQLite storage on one connection. better-sqlite3 is synchronous, so a unit
 * of work that awaits only its repositories runs start to finish without
 * yielding to other requests; the queue below keeps units strictly one after
 * another even when one awaits real I/O.
 *
 * Calls through the top-level repositories wait while a unit is open: on the
 * one connection they would otherwise read its uncommitted writes, or have
 * their own writes rolled back with it. Code running inside a unit uses the
 * repositories the unit was given (the key service has a view for that).
 */
export class SqliteStorage implements Storage {
  readonly secrets: SqliteSecretRepository;
  readonly keys: SqliteKeyRepository;
  readonly accessKeys: SqliteAccessKeyRepository;
  readonly settings: SqliteSettingsRepository;
  /** The repositories themselves, as units of work get them. */
  private readonly bound: Repositories;
  private queue: Promise<unknown> = Promise.resolve();
  /** A unit is between BEGIN and its end. */
  private unitOpen = false;
  private readonly begin;
  private readonly commit;
  private readonly rollback;

  constructor(private readonly db: Db) {
    const bound = {
      secrets: new SqliteSecretRepository(db),
      keys: new SqliteKeyRepository(db),
      accessKeys: new SqliteAccessKeyRepository(db),
      settings: new SqliteSettingsRepository(db),
    };
    this.bound = bound;
    this.secrets = this.outsideUnits(bound.secrets);
    this.keys = this.outsideUnits(bound.keys);
    this.accessKeys = this.outsideUnits(bound.accessKeys);
    this.settings = this.outsideUnits(bound.settings);
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
      this.unitOpen = true;
      try {
        const result = await work(this.bound);
        this.commit.run();
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.rollback.run();
        throw error;
      } finally {
        this.unitOpen = false;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * A copy of the repository whose methods first wait for an open unit of work
   * to end. The wrappers are made once, so the common case (no unit open) costs
   * one flag test.
   */
  private outsideUnits<R extends object>(repository: R): R {
    const gated = Object.create(repository) as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(repository))) {
      const method = (repository as Record<string, unknown>)[name];
      if (name === 'constructor' || typeof method !== 'function') continue;
      gated[name] = async (...args: unknown[]) => {
        // Another unit may begin as this one ends, hence the loop.
        while (this.unitOpen) await this.queue;
        return method.apply(repository, args);
      };
    }
    return gated as R;
  }

  async close(): Promise<void> {
    await this.queue;
    this.db.close();
  }
}
