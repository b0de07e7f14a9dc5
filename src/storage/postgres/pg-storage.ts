import pg from 'pg';
import type { Repositories, Storage } from '../repositories.js';
import { EpochCache } from '../epoch-cache.js';
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
import { PgAuditChain } from './pg-audit-chain.js';

/** serialization_failure and deadlock_detected: the unit ran into another and may simply run again. */
const RETRYABLE = new Set(['40001', '40P01']);
/** SQLSTATE classes 08 (connection), 53 (insufficient resources: disk full, out of memory), 57P (shutdown), 25006 (read-only transaction). */
const WRITE_FAILURE_CODES = /^(08|53|57P|25006)/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);
/** The setting a write probe rewrites. */
const PROBE_SETTING = 'write-probe';
/** How long a unit keeps trying: a fixed count of attempts would fail a few units under steady contention on one secret. */
const RETRY_BUDGET_MS = 15_000;
/**
 * Units running at once. More only collide more (predicate locks are taken per index page, so
 * even units on different secrets conflict) and could hold every pooled connection (ten) that reads need.
 */
const UNIT_SLOTS = 4;

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
 * The change epoch moves on every unit this storage ends, committed or rolled back.
 */
export class PostgresStorage implements Storage {
  readonly secrets: Repositories['secrets'];
  readonly keys: Repositories['keys'];
  readonly accessKeys: Repositories['accessKeys'];
  readonly settings: Repositories['settings'];
  readonly rotationFunctions: Repositories['rotationFunctions'];
  readonly leases: Repositories['leases'];
  readonly iam: Repositories['iam'];
  private epoch = 0;
  private readonly writers = new Slots(UNIT_SLOTS);
  private readonly running = new Set<Promise<unknown>>();
  private closing = false;

  private constructor(private readonly pool: pg.Pool) {
    const direct = repositoriesOn(pool);
    // Only the repository used outside units caches: its reads see committed data alone.
    this.secrets = this.outsideUnits('secrets', new PgSecretRepository(pool, new EpochCache(() => this.changeEpoch())));
    this.keys = this.outsideUnits('keys', direct.keys);
    this.accessKeys = this.outsideUnits('accessKeys', direct.accessKeys);
    this.settings = this.outsideUnits('settings', direct.settings);
    this.rotationFunctions = this.outsideUnits('rotationFunctions', direct.rotationFunctions);
    this.leases = this.outsideUnits('leases', direct.leases);
    this.iam = this.outsideUnits('iam', direct.iam);
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
    // A pooled connection that breaks while idle is dropped; the next statement reports the outage.
    pool.on('error', () => undefined);
    try {
      await migratePostgres(pool, schema, pgMigrations);
      return new PostgresStorage(pool);
    } catch (error) {
      await pool.end();
      throw error;
    }
  }

  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new Error('the storage is closed'));
    const unit = this.run(work);
    this.running.add(unit);
    const done = () => this.running.delete(unit);
    unit.then(done, done);
    return unit;
  }

  private async run<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    await this.writers.acquire();
    try {
      return await this.attempts(work);
    } finally {
      this.writers.release();
    }
  }

  private async attempts<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    const deadline = Date.now() + RETRY_BUDGET_MS;
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
        const result = await work(repositoriesOn(client));
        await client.query('COMMIT');
        this.epoch++;
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((failure: Error) => (broken = failure));
        // What the unit read and a cache kept (a record it had just written) may no longer hold.
        this.epoch++;
        if (Date.now() > deadline || !RETRYABLE.has((error as { code?: string }).code ?? '')) throw error;
      } finally {
        client.release(broken);
      }
      // Spread the retries of units that collided, more widely each time.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 2 ** attempt)));
    }
  }

  changeEpoch(): number {
    return this.epoch;
  }

  /** A unit that writes one small row: the database answers and commits (probed only while writes fail). */
  probeWrite(): Promise<void> {
    return this.transaction((tx) => tx.settings.set(PROBE_SETTING, String(Date.now())));
  }

  /** Connection failures, a full disk, a read-only or shut-down server: the database cannot take writes now. */
  isWriteFailure(error: unknown): boolean {
    const code = (error as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' && (WRITE_FAILURE_CODES.test(code) || NETWORK_CODES.has(code));
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
    return PgAuditChain.open(this.pool, owner);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.running]);
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
