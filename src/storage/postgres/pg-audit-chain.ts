import pg from 'pg';
import type { PgLink } from './pg-link.js';
import type { AuditRepository } from '../repositories.js';
import { PgAuditRepository } from './pg-audit-repository.js';

/**
 * The audit chain in PostgreSQL, one for every node. Each write transaction
 * first takes the chain's advisory lock (held until it commits), so that
 * nodes append one batch after another: the head a batch reads is the last
 * one committed, whichever node wrote it (READ COMMITTED takes a fresh
 * snapshot for each statement after the lock is granted). A batch is one
 * transaction, as on SQLite.
 *
 * The process writing holds a session advisory lock named after its owner
 * name for as long as it runs; its pending requests are interrupted ones
 * (see PgAuditRepository.interrupted) only once that lock is free: its
 * session ended with the process, or lost the database.
 *
 * Written from the main thread: the pool's I/O does not block it, and the
 * records are already there (see AuditLog).
 */
/** Ends a failed transaction; what the client must be released with (see PostgresStorage.rollback). */
type Rollback = (client: pg.PoolClient, error: unknown) => Promise<Error | undefined>;

export class PgAuditChain {
  readonly reads: PgAuditRepository;

  private constructor(
    private readonly link: PgLink,
    private readonly ownerSession: pg.Client,
    private readonly rollback: Rollback,
  ) {
    this.reads = new PgAuditRepository(link);
  }

  static async open(link: PgLink, owner: string, rollback: Rollback): Promise<PgAuditChain> {
    const session = new pg.Client(link.pool.options);
    session.on('error', () => undefined);
    try {
      await session.connect();
      await session.query("SELECT pg_advisory_lock(hashtextextended('coffer-audit-owner:' || $1, 0))", [owner]);
    } catch (error) {
      await session.end().catch(() => undefined);
      throw error;
    }
    return new PgAuditChain(link, session, rollback);
  }

  async write<T>(work: (audit: AuditRepository) => Promise<T>): Promise<T> {
    const client = await this.link.connect();
    let broken: Error | undefined;
    try {
      // Whatever the database's default: under REPEATABLE READ the snapshot would predate the lock's grant, and the head with it.
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended('coffer-audit-chain:' || current_schema(), 0))");
      const result = await work(new PgAuditRepository(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      broken = await this.rollback(client, error);
      throw error;
    } finally {
      client.release(broken);
    }
  }

  betweenBatches(): void {
    // Lookups read the chain's own indexes: nothing is derived afterwards.
  }

  /** Entries older than `before` leave LookupEvents; archive segments are written from audit.db only. */
  async retain(before: number): Promise<{ buckets: number; segments: string[] }> {
    await this.reads.retainFrom(before);
    return { buckets: 0, segments: [] };
  }

  async close(): Promise<void> {
    await this.ownerSession.end().catch(() => undefined);
  }
}
