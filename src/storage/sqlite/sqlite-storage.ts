import { BUSY_TIMEOUT_MS, openSqlite, type Db } from './sqlite-database.js';
import { SqliteSecretRepository } from './sqlite-secret-repository.js';
import { SqliteKeyRepository } from './sqlite-key-repository.js';
import { SqliteAccessKeyRepository, SqliteSettingsRepository } from './sqlite-access-key-repository.js';
import { SqliteLeaseRepository, SqliteRotationFunctionRepository } from './sqlite-rotation-repositories.js';
import { SqliteIamRepository } from './sqlite-iam-repository.js';
import type { Repositories, Storage, UnitOfWork } from '../repositories.js';
import { ChangeCache } from '../change-cache.js';
import { ChangeFeed } from '../change-feed.js';
import { changeRows, namesChanges, recordingChanges, secretChange, unitChanges, type UnitChanges } from '../change-keys.js';
import { CHANGE_RETENTION_MS, decodeChange, ExpiredCursorError, InvalidCursorError, type SecretChangePage } from '../secret-changes.js';
import type { DataDirMarks } from '../data-dir-marks.js';
import { CommitCounter } from './data-dir-state.js';


/** SQLite's result codes (and their extended forms) for a database it cannot write. */
const WRITE_FAILURES = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|PERM)/;

/** Change records are pruned each time their sequence passes a multiple of this. */
const PRUNE_EVERY = 1000;
/** How often a process sharing the file looks for others' commits while something follows changes. */
const FOLLOW_INTERVAL_MS = 50;

/** A cursor of this storage: `s<seq>`, the last change record it covers. */
const CURSOR = /^s(0|[1-9]\d{0,15})$/;

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
 *
 * Caches learn of changes through `changes`: a unit's writes that change cacheable data name
 * change keys (change-keys.ts), applied when the unit ends. The unit also appends them, with
 * the secret changes it noted, to the `changes` table in its transaction: the change feed
 * reads them there, and where other processes share the file (`shared`), `syncChanges` reads
 * what the others appended (only when PRAGMA data_version says another connection committed).
 * SQLite has one writer at a time, so the table's sequence is commit order (dense: a rolled
 * back unit gives its numbers back), and a process reads each record once. Records are kept
 * for CHANGE_RETENTION_MS.
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
  readonly changes = new ChangeFeed();
  private readonly dataVersion;
  private seenDataVersion: unknown;
  /** The last change record applied (records of this process included, or re-applied: harmless). */
  private appliedSeq = 0;
  private readonly recordChange;
  private readonly pruneChanges;
  private readonly changesSince;
  private readonly secretChangesAfter;
  /** Holders of followChanges, and the timer that looks for other processes' commits meanwhile. */
  private followers = 0;
  private followTimer?: NodeJS.Timeout;
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
    this.secrets = this.outsideUnits('secrets', new SqliteSecretRepository(db, new ChangeCache(this.changes, (v) => [secretChange(v.secret.id)])));
    this.keys = this.outsideUnits('keys', bound.keys);
    this.accessKeys = this.outsideUnits('accessKeys', bound.accessKeys);
    this.settings = this.outsideUnits('settings', bound.settings);
    this.rotationFunctions = this.outsideUnits('rotationFunctions', bound.rotationFunctions);
    this.leases = this.outsideUnits('leases', bound.leases);
    this.iam = this.outsideUnits('iam', bound.iam);
    this.recordChange = db.prepare('INSERT INTO changes (key, event, recorded_at) VALUES (?, ?, ?)');
    // Records are in time order but for clock steps: the first one young enough bounds those to prune.
    this.pruneChanges = db.prepare<[number]>('DELETE FROM changes WHERE seq < (SELECT seq FROM changes WHERE recorded_at >= ? ORDER BY seq LIMIT 1)');
    this.changesSince = db.prepare<[number], { seq: number; key: string }>('SELECT seq, key FROM changes WHERE seq > ? ORDER BY seq');
    // One statement, so one snapshot: the noted changes after a cursor, with the oldest record kept and the newest ever made.
    this.secretChangesAfter = db.prepare<[number, number], { seq: number | null; event: string | null; recorded_at: number | null; first: number | null; last: number | null }>(
      `SELECT c.seq, c.event, c.recorded_at, (SELECT min(seq) FROM changes) AS first,
        (SELECT seq FROM sqlite_sequence WHERE name = 'changes') AS last
      FROM (SELECT 1) LEFT JOIN (SELECT seq, event, recorded_at FROM changes WHERE seq > ? AND event IS NOT NULL ORDER BY seq LIMIT ?) c
      ORDER BY c.seq`,
    );
    if (shared) {
      this.seenDataVersion = this.dataVersion.get();
      this.appliedSeq = Number(db.prepare('SELECT coalesce(max(seq), 0) FROM changes').pluck().get());
    }
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    if (marks) this.counter = new CommitCounter(db, marks);
  }

  /** `shared`: other processes (cluster workers) use the same file. */
  static open(path: string, options: { shared?: boolean } = {}): SqliteStorage {
    return new SqliteStorage(openSqlite(path, options), options.shared);
  }

  transaction<T>(work: (tx: UnitOfWork) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      await this.beginWrite();
      this.unitOpen = true;
      const changes = this.counter?.changes();
      const changed = unitChanges();
      try {
        const result = await work(recordingChanges(this.bound, changed));
        const appended = this.appendChanges(changed);
        const number = changes === undefined ? undefined : this.counter!.number(changes);
        this.commit.run();
        this.counter?.committed(number);
        // Nothing of others' came between: this process has now applied every record up to its own.
        if (appended && appended.first === this.appliedSeq + 1) this.appliedSeq = appended.last;
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.rollback.run();
        throw error;
      } finally {
        // Committed or rolled back: what a cache loaded inside the unit may no longer hold.
        this.changes.apply([...changed.keys]);
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

  private appendChanges(changed: UnitChanges): { first: number; last: number } | undefined {
    let first = 0;
    let seq = 0;
    const now = Date.now();
    for (const [key, event] of changeRows(changed)) {
      seq = Number(this.recordChange.run(key, event, now).lastInsertRowid);
      first ||= seq;
    }
    if (seq && Math.floor(seq / PRUNE_EVERY) > Math.floor((first - 1) / PRUNE_EVERY)) this.pruneChanges.run(now - CHANGE_RETENTION_MS);
    return first ? { first, last: seq } : undefined;
  }

  readSecretChanges(cursor: string | undefined, limit: number): Promise<SecretChangePage> {
    // A unit open on the connection would show its uncommitted records: read once it has ended.
    if (this.unitOpen) return this.afterUnits().then(() => this.readSecretChanges(cursor, limit));
    const match = cursor === undefined ? undefined : CURSOR.exec(cursor);
    if (cursor !== undefined && !match) return Promise.reject(new InvalidCursorError());
    const after = match ? Number(match[1]) : Number.MAX_SAFE_INTEGER;
    const rows = this.secretChangesAfter.all(after, limit);
    const { first, last } = rows[0]!;
    const newest = last ?? 0;
    if (cursor === undefined) return Promise.resolve({ changes: [], cursor: `s${newest}`, more: false });
    // Ahead of every record made: another database's cursor. Before the oldest kept: records it needs were pruned.
    if (after > newest || (first === null ? after < newest : after + 1 < first)) return Promise.reject(new ExpiredCursorError());
    const changes = rows.filter((r) => r.seq !== null).map((r) => decodeChange(r.event!, r.recorded_at!));
    const more = changes.length === limit;
    return Promise.resolve({ changes, cursor: `s${more ? rows.at(-1)!.seq : newest}`, more });
  }

  followChanges(): () => void {
    if (!this.shared) return () => undefined;
    if (this.followers++ === 0) this.followTimer = setInterval(() => void this.syncChanges().catch(() => undefined), FOLLOW_INTERVAL_MS).unref();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.followers === 0) clearInterval(this.followTimer);
    };
  }

  syncChanges(): Promise<void> {
    // Has another process sharing the file committed since we last looked?
    if (!this.shared) return Promise.resolve();
    // Inside an open unit the connection sees that unit's view: look once it has ended.
    if (this.unitOpen) return this.afterUnits().then(() => this.syncChanges());
    const version = this.dataVersion.get();
    if (version === this.seenDataVersion) return Promise.resolve();
    this.seenDataVersion = version;
    const records = this.changesSince.all(this.appliedSeq);
    if (records.length === 0) return Promise.resolve();
    // One writer at a time: sequence numbers are dense in commit order, so a gap means records pruned unread.
    if (records[0]!.seq !== this.appliedSeq + 1) this.changes.dropAll();
    else this.changes.apply(records.map((r) => r.key));
    this.appliedSeq = records.at(-1)!.seq;
    return Promise.resolve();
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
  private outsideUnits<K extends keyof Repositories, R extends Repositories[K]>(repositoryName: K, repository: R): R {
    const gated = Object.create(repository) as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(repository))) {
      const method = (repository as unknown as Record<string, unknown>)[name];
      if (name === 'constructor' || typeof method !== 'function') continue;
      // A write that changes cached data runs as a unit, which records its change.
      const call = namesChanges(repositoryName, name)
        ? (args: unknown[]): unknown => this.transaction((tx) => (tx[repositoryName] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!(...args))
        : (args: unknown[]): unknown => method.apply(repository, args);
      // No unit open (the common case): call straight through, adding no promise of its own.
      gated[name] = (...args: unknown[]) => (this.unitOpen ? this.afterUnits().then(() => call(args)) : call(args));
    }
    return gated as R;
  }

  /**
   * A copy of coffer.db at `path`, made with SQLite's online backup while no unit of work
   * commits (here, or with `--workers` in another process: a second connection holds the write
   * lock meanwhile), and `alongside` run in the same pause: so a copy of audit.db taken then
   * belongs with it (neither file's mark of the other is ahead). Reads go on; writes wait.
   */
  backupTo(path: string, alongside: () => Promise<void>): Promise<void> {
    const run = async (): Promise<void> => {
      const lock = this.shared ? openSqlite(this.db.name, { shared: true }) : undefined;
      try {
        lock?.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
        lock?.exec('BEGIN IMMEDIATE');
        await this.db.backup(path);
        await alongside();
      } finally {
        if (lock?.inTransaction) lock.exec('ROLLBACK');
        lock?.close();
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
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
    clearInterval(this.followTimer);
    await this.queue;
    this.db.close();
  }
}
