import pg from 'pg';
import type { PgLink } from './pg-link.js';
import type { AuditChainRecord, AuditDigestRecord, AuditEntryRecord } from '../stored-records.js';
import type { AuditLookupQuery, AuditRepository, PendingAuditRequest } from '../repositories.js';
import { HEAD_SQL, PgAuditRepository } from './pg-audit-repository.js';

/** Ends a failed transaction; what the client must be released with (see PostgresStorage.rollback). */
type Rollback = (client: pg.PoolClient, error: unknown) => Promise<Error | undefined>;

/**
 * The transaction, the chain's lock and its head, in one round trip (a simple query of three
 * statements). READ COMMITTED whatever the database's default: under REPEATABLE READ the
 * snapshot would predate the lock's grant, and the head with it.
 */
const BEGIN_LOCKED = `BEGIN ISOLATION LEVEL READ COMMITTED;
  SELECT pg_advisory_xact_lock(hashtextextended('coffer-audit-chain:' || current_schema(), 0));
  ${HEAD_SQL}`;

/**
 * The audit chain in PostgreSQL, one for every node. Each write transaction
 * first takes the chain's advisory lock (held until it commits), so that
 * nodes append one batch after another: the head a batch reads is the last
 * one committed, whichever node wrote it (READ COMMITTED takes a fresh
 * snapshot for each statement after the lock is granted). A batch is one
 * transaction, as on SQLite, of three round trips whatever it holds: the
 * lock and the head, the entries with their pending requests, the commit.
 *
 * The process writing holds a session advisory lock named after its owner
 * name for as long as it runs; its pending requests are interrupted ones
 * (see PgAuditRepository.interrupted) only once that lock is free: its
 * session ended with the process, or lost the database.
 *
 * Written from the main thread: the pool's I/O does not block it, and the
 * records are already there (see AuditLog).
 */
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
      const results = (await client.query(BEGIN_LOCKED)) as unknown as pg.QueryResult<{ sequence: number; hash: string }>[];
      const batch = new BufferedWrites(new PgAuditRepository(client), results.at(-1)!.rows[0]);
      const result = await work(batch);
      await batch.flush();
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

/**
 * A write batch's view of the chain inside its transaction: the head read with the lock, and
 * its appends and pending requests kept until `flush` writes them in one statement (before
 * anything else is read, so that reads see them).
 */
class BufferedWrites implements AuditRepository {
  private appended: AuditEntryRecord[] = [];
  private requested: { requestId: string; sequence: number }[] = [];
  private settled: string[] = [];
  private owner = '';

  constructor(
    private readonly repository: PgAuditRepository,
    private readonly lockedHead: { sequence: number; hash: string } | undefined,
  ) {}

  async head(): Promise<{ sequence: number; hash: string } | undefined> {
    const last = this.appended.at(-1);
    return last ? { sequence: last.sequence, hash: last.hash } : this.lockedHead;
  }

  async append(entries: AuditEntryRecord[]): Promise<void> {
    this.appended.push(...entries);
  }

  async addPending(requests: readonly { requestId: string; sequence: number }[], owner: string): Promise<void> {
    if (!requests.length) return;
    if (this.requested.length && owner !== this.owner) await this.flush();
    this.owner = owner;
    this.requested.push(...requests);
  }

  async settlePending(requestIds: readonly string[]): Promise<void> {
    this.settled.push(...requestIds);
  }

  /** Writes what is kept: a request both noted and settled in the batch leaves nothing pending. */
  async flush(): Promise<void> {
    const settled = new Set(this.settled);
    const requested = this.requested.filter((r) => !settled.delete(r.requestId));
    if (this.appended.length || requested.length || settled.size) await this.repository.appendWithPending(this.appended, requested, this.owner, [...settled]);
    this.appended = [];
    this.requested = [];
    this.settled = [];
  }

  async entries(afterSequence: number, limit: number): Promise<AuditChainRecord[]> {
    await this.flush();
    return this.repository.entries(afterSequence, limit);
  }

  async lookup(query: AuditLookupQuery): Promise<AuditChainRecord[]> {
    await this.flush();
    return this.repository.lookup(query);
  }

  async addDigest(digest: AuditDigestRecord): Promise<void> {
    await this.flush();
    await this.repository.addDigest(digest);
  }

  async digests(): Promise<AuditDigestRecord[]> {
    await this.flush();
    return this.repository.digests();
  }

  async lastDigest(): Promise<AuditDigestRecord | undefined> {
    await this.flush();
    return this.repository.lastDigest();
  }

  async interrupted(owner: string, limit: number): Promise<PendingAuditRequest[]> {
    await this.flush();
    return this.repository.interrupted(owner, limit);
  }
}
