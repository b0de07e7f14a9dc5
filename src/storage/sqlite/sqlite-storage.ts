import { AsyncLocalStorage } from 'node:async_hooks';
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
 *
 * Calls made outside a unit wait while one is open: on the one connection they
 * would otherwise read its uncommitted writes, or have their own writes rolled
 * back with it. Calls made from inside a unit (even through these top-level
 * repositories, as the key service does) run at once, in the unit.
 */
export class SqliteStorage implements Storage {
  readonly secrets: SqliteSecretRepository;
  readonly keys: SqliteKeyRepository;
  readonly accessKeys: SqliteAccessKeyRepository;
  readonly settings: SqliteSettingsRepository;
  private queue: Promise<unknown> = Promise.resolve();
  /** The repositories themselves, as units of work get them. */
  private readonly bound;
  private readonly insideUnit = new AsyncLocalStorage<true>();
  /** A unit is between BEGIN and its end; the queue is then pending until it ends. */
  private unitOpen = false;
  private readonly begin;
  private readonly commit;
  private readonly rollback;

  constructor(private readonly db: Db) {
    this.bound = {
      secrets: new SqliteSecretRepository(db),
      keys: new SqliteKeyRepository(db),
      accessKeys: new SqliteAccessKeyRepository(db),
      settings: new SqliteSettingsRepository(db),
    };
    this.secrets = this.outsideUnits(this.bound.secrets);
    this.keys = this.outsideUnits(this.bound.keys);
    this.accessKeys = this.outsideUnits(this.bound.accessKeys);
    this.settings = this.outsideUnits(this.bound.settings);
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
        const result = await this.insideUnit.run(true, () => work(this.bound));
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

  /** The repository with every method first waiting for open units of work to end. */
  private outsideUnits<R extends object>(repository: R): R {
    return new Proxy(repository, {
      get: (target, name) => {
        const member: unknown = Reflect.get(target, name);
        if (typeof member !== 'function') return member;
        return async (...args: unknown[]) => {
          // Another unit may begin while this one ends, hence the loop.
          while (this.unitOpen && !this.insideUnit.getStore()) await this.queue;
          return member.apply(target, args);
        };
      },
    });
  }

  async close(): Promise<void> {
    await this.queue;
    this.db.close();
  }
}
