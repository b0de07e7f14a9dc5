import pg from 'pg';
import type { Repositories, Storage, UnitOfWork } from '../repositories.js';
import { ChangeCache } from '../change-cache.js';
import { ChangeFeed } from '../change-feed.js';
import { changeRows, recordingChanges, secretChange, unitChanges } from '../change-keys.js';
import { CHANGE_RETENTION_MS, type SecretChangePage } from '../secret-changes.js';
import { readPgSecretChanges } from './pg-change-log.js';
import { READ_METHODS } from '../read-methods.js';
import { connectionConfig, redactedUrl, type PostgresOptions } from './pg-connection.js';
import { migratePostgres } from './pg-migrate.js';
import { pgMigrations } from './pg-migrations.js';
import type { Queryable } from './pg-statement.js';
import { PgSecretRepository } from './pg-secret-repository.js';
import { PgKeyRepository } from './pg-key-repository.js';
import { PgAccessKeyRepository } from './pg-access-key-repository.js';
import { PgSettingsRepository } from './pg-settings-repository.js';
import { PgRotationFunctionRepository } from './pg-rotation-function-repository.js';
import { PgLeaseRepository } from './pg-lease-repository.js';
import { PgIamRepository } from './pg-iam-repository.js';
import { CommitOutcomeUnknown } from '../commit-outcome.js';
import { PgAuditChain } from './pg-audit-chain.js';
import { isConnectionLoss, PgLink } from './pg-link.js';

/** serialization_failure and deadlock_detected: the unit ran into another and may simply run again. */
const RETRYABLE = new Set(['40001', '40P01']);
/**
 * Besides a lost connection (see isConnectionLoss), SQLSTATE classes 53 (insufficient resources:
 * disk full, out of memory), 25006 (read-only transaction), 57014 (a statement cancelled by
 * statement_timeout: the server is too slow to answer), 55P03 (a lock not available in time).
 */
const WRITE_FAILURE_CODES = /^(53|25006|57014|55P03)/;
/** The setting a write probe rewrites. */
const PROBE_SETTING = 'write-probe';
/** How long a unit keeps trying: a fixed count of attempts would fail a few units under steady contention on one secret. */
const RETRY_BUDGET_MS = 15_000;
/**
 * Units running at once. More only collide more (predicate locks are taken per index page, so
 * even units on different secrets conflict) and could hold every pooled connection (ten) that reads need.
 */
const UNIT_SLOTS = 4;
/** How often a node prunes old change records (and reads new ones, should no notification come). */
const CHANGES_MAINTENANCE_MS = 60_000;
/**
 * Change records are pruned after CHANGE_RETENTION_MS; a node that has not read them for this
 * long starts its caches over (well within the retention, so that a record is never pruned unread).
 */
const CHANGES_STALE_MS = 5 * 60_000;
/** Waiting before listening again after the listening connection broke. */
const LISTEN_RETRY_MS = 1000;

/**
 * The change records committed since `$1`, the snapshot of the previous read, and this read's
 * snapshot. A record is new if its transaction was not visible in that snapshot: records are
 * found by the committing transaction, not by an order of numbers (which commit out of order).
 */
const CHANGES_SINCE = `SELECT pg_current_snapshot()::text AS snapshot, ARRAY(SELECT key FROM changes
  WHERE xid >= pg_snapshot_xmin($1::pg_snapshot) AND NOT pg_visible_in_snapshot(xid, $1::pg_snapshot)) AS keys`;

function repositoriesOn(db: Queryable): Repositories {
  return {
    secrets: new PgSecretRepository(db),
    keys: new PgKeyRepository(db),
    accessKeys: new PgAccessKeyRepository(db),
    settings: new PgSettingsRepository(db),
    rotationFunctions: new PgRotationFunctionRepository(db),
    leases: new PgLeaseRepository(db),
    iam: new PgIamRepository(db),
  };
}

/**
 * PostgreSQL storage on a connection pool.
 *
 * Units of work run SERIALIZABLE and are run again on a serialization failure or deadlock:
 * every read-modify-write the domain does inside a unit (staging-label moves, version pruning,
 * idempotency tokens, the rotation lease) then behaves as under SQLite's single writer, without
 * a lock to name in each. A unit must therefore change nothing in memory before it commits.
 *
 * Outside units, a read runs on its own at READ COMMITTED (it sees committed data alone) and
 * any other call runs as a unit of its own.
 *
 * Any number of nodes share the database. A unit whose writes change cacheable data appends
 * their change keys to the `changes` table in its transaction and notifies the other nodes
 * (NOTIFY is delivered at commit). `syncChanges` reads, in one statement, every change record
 * committed since its previous read (by snapshot) and applies them: a request calls it first, so
 * it sees every write acknowledged before it started; concurrent requests share one read. A
 * notification makes an idle node read too, so it drops what changed (key material) at once.
 */
export class PostgresStorage implements Storage {
  readonly secrets: Repositories['secrets'];
  readonly keys: Repositories['keys'];
  readonly accessKeys: Repositories['accessKeys'];
  readonly settings: Repositories['settings'];
  readonly rotationFunctions: Repositories['rotationFunctions'];
  readonly leases: Repositories['leases'];
  readonly iam: Repositories['iam'];
  readonly changes = new ChangeFeed();
  private readonly writers = new Slots(UNIT_SLOTS);
  private readonly running = new Set<Promise<unknown>>();
  private closing = false;
  /** The snapshot of the last read of change records, and when it was taken. */
  private snapshot: string;
  private syncedAt = Date.now();
  private reading?: Promise<void>;
  private nextRead?: Promise<void>;
  private listener?: pg.Client;
  private readonly maintenance: NodeJS.Timeout;
  private readonly link: PgLink;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly config: pg.PoolConfig,
    private readonly channel: string,
    snapshot: string,
  ) {
    this.snapshot = snapshot;
    this.link = new PgLink(pool);
    const direct = repositoriesOn(this.link);
    // Only the repository used outside units caches: its reads see committed data alone.
    this.secrets = this.outsideUnits('secrets', new PgSecretRepository(this.link, new ChangeCache(this.changes, (v) => [secretChange(v.secret.id)])));
    this.keys = this.outsideUnits('keys', direct.keys);
    this.accessKeys = this.outsideUnits('accessKeys', direct.accessKeys);
    this.settings = this.outsideUnits('settings', direct.settings);
    this.rotationFunctions = this.outsideUnits('rotationFunctions', direct.rotationFunctions);
    this.leases = this.outsideUnits('leases', direct.leases);
    this.iam = this.outsideUnits('iam', direct.iam);
    this.maintenance = setInterval(() => void this.maintain(), CHANGES_MAINTENANCE_MS).unref();
    void this.listen();
  }

  /** Connects and migrates the schema (refusing one newer than this build); other nodes may share the database. */
  static async open(options: PostgresOptions): Promise<PostgresStorage> {
    const { pool: config, schema } = connectionConfig(options);
    try {
      return await PostgresStorage.connect(config, schema);
    } catch (error) {
      // Say which database, without its password; the driver's message says what went wrong.
      throw new Error(`PostgreSQL storage ${redactedUrl(options.url)}: ${(error as Error).message}`, { cause: error });
    }
  }

  private static async connect(config: pg.PoolConfig, schema: string): Promise<PostgresStorage> {
    const pool = new pg.Pool(config);
    // A pooled connection that breaks, idle or checked out, is dropped; the statement on it (or
    // the next) reports the outage. Unheard, a checked-out connection's error would end the process.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    try {
      await migratePostgres(pool, schema, pgMigrations);
      // Caches start empty: only changes committed from now on concern them.
      const { rows } = await pool.query<{ snapshot: string }>('SELECT pg_current_snapshot()::text AS snapshot');
      return new PostgresStorage(pool, config, `coffer-changes:${schema}`, rows[0]!.snapshot);
    } catch (error) {
      await pool.end();
      throw error;
    }
  }

  transaction<T>(work: (tx: UnitOfWork) => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new Error('the storage is closed'));
    const unit = this.run(work);
    this.running.add(unit);
    const done = () => this.running.delete(unit);
    unit.then(done, done);
    return unit;
  }

  private async run<T>(work: (tx: UnitOfWork) => Promise<T>): Promise<T> {
    await this.writers.acquire();
    try {
      return await this.attempts(work);
    } finally {
      this.writers.release();
    }
  }

  private async attempts<T>(work: (tx: UnitOfWork) => Promise<T>): Promise<T> {
    const deadline = Date.now() + RETRY_BUDGET_MS;
    for (let attempt = 1; ; attempt++) {
      const client = await this.link.connect();
      let broken: Error | undefined;
      const changed = unitChanges();
      try {
        await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
        const result = await work(recordingChanges(repositoriesOn(client), changed));
        const rows = changeRows(changed);
        if (rows.length > 0) {
          await client.query('WITH recorded AS (INSERT INTO changes (key, event) SELECT * FROM unnest($1::text[], $2::text[])) SELECT pg_notify($3, \'\')', [
            rows.map(([key]) => key),
            rows.map(([, event]) => event),
            this.channel,
          ]);
        }
        await client.query('COMMIT').catch((error: Error) => {
          // An ERROR the server sent means it did not commit; a connection lost (or FATAL) on the way leaves it open.
          throw (error as { severity?: unknown }).severity === 'ERROR' ? error : new CommitOutcomeUnknown(error);
        });
        return result;
      } catch (error) {
        broken = await this.rollback(client, error);
        if (Date.now() > deadline || !RETRYABLE.has((error as { code?: string }).code ?? '')) throw error;
      } finally {
        client.release(broken);
        // Committed or rolled back: what a cache loaded inside the unit may no longer hold.
        this.changes.apply([...changed.keys]);
      }
      // Spread the retries of units that collided, more widely each time.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 2 ** attempt)));
    }
  }

  readSecretChanges(cursor: string | undefined, limit: number): Promise<SecretChangePage> {
    return readPgSecretChanges(this.pool, cursor, limit);
  }

  /** Reads and applies the change records committed before the call; calls made while a read runs share the next one. */
  syncChanges(): Promise<void> {
    if (!this.reading) {
      const read = this.readChanges().finally(() => (this.reading = undefined));
      this.reading = read;
      return read;
    }
    // The running read may have taken its snapshot before this call: wait for the next one. If the
    // running read fails, the database is failing: its waiters fail with it rather than wait for
    // another read's timeout.
    this.nextRead ??= this.reading.then(
      () => {
        this.nextRead = undefined;
        return this.syncChanges();
      },
      (error: unknown) => {
        this.nextRead = undefined;
        throw error;
      },
    );
    return this.nextRead;
  }

  private async readChanges(): Promise<void> {
    const started = Date.now();
    const { rows } = await this.link.query<{ snapshot: string; keys: string[] }>(CHANGES_SINCE, [this.snapshot]);
    const { snapshot, keys } = rows[0]!;
    if (started - this.syncedAt > CHANGES_STALE_MS) this.changes.dropAll();
    else this.changes.apply(keys);
    this.snapshot = snapshot;
    this.syncedAt = started;
  }

  /** Prunes old change records and reads new ones (an idle node stays current without notifications). */
  private async maintain(): Promise<void> {
    await this.link.query(`DELETE FROM changes WHERE recorded_at < now() - $1 * interval '1 millisecond'`, [CHANGE_RETENTION_MS]).catch(() => undefined);
    await this.syncChanges().catch(() => undefined);
  }

  /** Listens for other nodes' notifications on a connection of its own, again after it breaks. */
  private async listen(): Promise<void> {
    if (this.closing) return;
    const client = new pg.Client(this.config);
    const retry = () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      void client.end().catch(() => undefined);
      setTimeout(() => void this.listen(), LISTEN_RETRY_MS).unref();
    };
    this.listener = client;
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', () => void this.syncChanges().catch(() => undefined));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      // What was committed before listening began.
      await this.syncChanges();
    } catch {
      retry();
    }
  }

  /** A unit that writes one small row: the database answers and commits (probed only while writes fail). */
  probeWrite(): Promise<void> {
    return this.transaction((tx) => tx.settings.set(PROBE_SETTING, String(Date.now())));
  }

  /** A statement on the pool: it answers while the database is reachable. */
  async ping(): Promise<void> {
    await this.link.query('SELECT 1');
  }

  /**
   * Ends a unit that failed: rolled back, or, on a connection lost or unanswered, left to the
   * server (which rolls back what never committed) without waiting for it. What the client must
   * be released with: an error when it cannot be used again.
   */
  async rollback(client: pg.PoolClient, error: unknown): Promise<Error | undefined> {
    const cause = error instanceof CommitOutcomeUnknown ? error.cause : error;
    this.link.note(cause);
    if (isConnectionLoss(cause)) return cause as Error;
    return client.query('ROLLBACK').then(
      () => undefined,
      (failure: Error) => failure,
    );
  }

  /**
   * Connection failures and timeouts, a full disk, a read-only or shut-down server: the database
   * cannot take writes now (nor, mostly, reads), and the request is answered as unavailable.
   */
  isWriteFailure(error: unknown): boolean {
    if (error instanceof CommitOutcomeUnknown || isConnectionLoss(error)) return true;
    const code = (error as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' && WRITE_FAILURE_CODES.test(code);
  }

  /** The repository as used outside units: reads straight on the pool, anything else as a unit of its own. */
  private outsideUnits<K extends keyof Repositories>(name: K, repository: Repositories[K]): Repositories[K] {
    const gated = Object.create(repository) as Record<string, unknown>;
    for (const method of Object.getOwnPropertyNames(Object.getPrototypeOf(repository))) {
      const fn = (repository as unknown as Record<string, unknown>)[method];
      if (method === 'constructor' || typeof fn !== 'function') continue;
      // A read runs on the repository itself, so that what it calls inside (a private loader) is not gated again.
      gated[method] = READ_METHODS.has(method)
        ? fn.bind(repository)
        : (...args: unknown[]) => this.transaction((tx) => (tx[name] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!(...args));
    }
    return gated as unknown as Repositories[K];
  }

  /** The audit chain in this database, written by the process `owner` names (see PgAuditChain). */
  openAuditChain(owner: string): Promise<PgAuditChain> {
    return PgAuditChain.open(this.link, owner, (client, error) => this.rollback(client, error));
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.running]);
    clearInterval(this.maintenance);
    this.link.close();
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.pool.end();
  }
}

/** At most `size` holders at once; the others wait in turn. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
