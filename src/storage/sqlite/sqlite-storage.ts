import { BUSY_TIMEOUT_MS, openSqlite, type Db } from './sqlite-database.js';
import { SqliteSecretRepository } from './sqlite-secret-repository.js';
import { SqliteKeyRepository } from './sqlite-key-repository.js';
import { SqliteAccessKeyRepository, SqliteSettingsRepository } from './sqlite-access-key-repository.js';
import { SqliteLeaseRepository, SqliteRotationFunctionRepository } from './sqlite-rotation-repositories.js';
import { SqliteIamRepository } from './sqlite-iam-repository.js';
import type { Repositories, Storage } from '../repositories.js';
import { EpochCache } from '../epoch-cache.js';
import type { DataDirMarks } from '../data-dir-marks.js';
import { CommitCounter } from './data-dir-state.js';

import { READ_METHODS } from '../read-methods.js';

/** SQLite's result codes (and their extended forms) for a database it cannot write. */
const WRITE_FAILURES = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|PERM)/;

/** About five seconds of retries, as the busy timeout gives other statements. */
const MAX_BEGIN_ATTEMPTS = 5_000;

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
  readonly rotationFunctions: SqliteRotationFunctionRepository;
  readonly leases: SqliteLeaseRepository;
  readonly iam: SqliteIamRepository;
  /** The repositories themselves, as units of work get them. */
  private readonly bound: Repositories;
  private queue: Promise<unknown> = Promise.resolve();
  /** Moves on every write of this process; see `changeEpoch` for other processes'. */
  private epoch = 0;
  private readonly dataVersion;
  private seenDataVersion: unknown;
  private lookedThisTurn = false;
  /** A unit is between BEGIN and its end. */
  private unitOpen = false;
  private readonly begin;
  private readonly commit;
  private readonly rollback;
  private readonly counter?: CommitCounter;

  constructor(
    private readonly db: Db,
    private readonly shared = false,
    /** Kept up to date with every commit, where the data directory keeps high-water marks. */
    marks?: DataDirMarks,
  ) {
    const bound = {
      secrets: new SqliteSecretRepository(db),
      keys: new SqliteKeyRepository(db),
      accessKeys: new SqliteAccessKeyRepository(db),
      settings: new SqliteSettingsRepository(db),
      rotationFunctions: new SqliteRotationFunctionRepository(db),
      leases: new SqliteLeaseRepository(db),
      iam: new SqliteIamRepository(db),
    };
    this.bound = bound;
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
    // Only the repository used outside units caches: its reads see committed data alone.
    this.secrets = this.outsideUnits(new SqliteSecretRepository(db, new EpochCache(() => this.changeEpoch())));
    this.keys = this.outsideUnits(bound.keys);
    this.accessKeys = this.outsideUnits(bound.accessKeys);
    this.settings = this.outsideUnits(bound.settings);
    this.rotationFunctions = this.outsideUnits(bound.rotationFunctions);
    this.leases = this.outsideUnits(bound.leases);
    this.iam = this.outsideUnits(bound.iam);
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    if (marks) this.counter = new CommitCounter(db, marks);
  }

  /** `shared`: other processes (cluster workers) use the same file. */
  static open(path: string, options: { shared?: boolean } = {}): SqliteStorage {
    return new SqliteStorage(openSqlite(path, options), options.shared);
  }

  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      await this.beginWrite();
      this.unitOpen = true;
      const changes = this.counter?.changes();
      try {
        const result = await work(this.bound);
        const number = changes === undefined ? undefined : this.counter!.number(changes);
        this.commit.run();
        this.counter?.committed(number);
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.rollback.run();
        throw error;
      } finally {
        // Committed or rolled back, what was read inside the unit may no longer hold.
        this.epoch++;
        this.unitOpen = false;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Resolves once no unit of work is open (another may begin as one ends, hence the loop). */
  private async afterUnits(): Promise<void> {
    while (this.unitOpen) await this.queue;
  }

  changeEpoch(): number {
    // Has another process sharing the file committed since we last looked? Once
    // per turn of the event loop is enough: every request handled in this turn
    // had arrived before the look, so each still sees all that was acknowledged
    // before it was sent.
    if (this.shared && !this.lookedThisTurn) {
      this.lookedThisTurn = true;
      setImmediate(() => (this.lookedThisTurn = false));
      const version = this.dataVersion.get();
      if (version !== this.seenDataVersion) {
        this.seenDataVersion = version;
        this.epoch++;
      }
    }
    return this.epoch;
  }

  /**
   * BEGIN IMMEDIATE. When other processes share the file, one of them may hold
   * the write lock: rather than let SQLite's busy handler sleep with the event
   * loop blocked (in steps up to 100 ms), try without waiting and retry soon.
   */
  private async beginWrite(): Promise<void> {
    if (!this.shared) {
      this.begin.run();
      return;
    }
    this.db.pragma('busy_timeout = 0');
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          this.begin.run();
          return;
        } catch (error) {
          if ((error as { code?: string }).code !== 'SQLITE_BUSY' || attempt >= MAX_BEGIN_ATTEMPTS) throw error;
          await new Promise((resolve) => (attempt < 20 ? setImmediate(resolve) : setTimeout(resolve, 1)));
        }
      }
    } finally {
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
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
      const reads = READ_METHODS.has(name);
      const call = (args: unknown[]): unknown => {
        // better-sqlite3 runs the statement before the method's promise is returned.
        const result = method.apply(repository, args);
        // Anything not known to only read may have written.
        if (!reads) this.epoch++;
        return result;
      };
      // No unit open (the common case): call straight through, adding no promise of its own.
      gated[name] = (...args: unknown[]) => (this.unitOpen ? this.afterUnits().then(() => call(args)) : call(args));
    }
    return gated as R;
  }

  /** Rewrites the header's user_version as it is, in a unit of work: a page written and synced, nothing changed. */
  probeWrite(): Promise<void> {
    return this.transaction(async () => {
      this.db.pragma(`user_version = ${Number(this.db.pragma('user_version', { simple: true }))}`);
    });
  }

  isWriteFailure(error: unknown): boolean {
    return WRITE_FAILURES.test((error as { code?: unknown } | undefined)?.code as string);
  }

  async close(): Promise<void> {
    await this.queue;
    this.db.close();
  }
}
