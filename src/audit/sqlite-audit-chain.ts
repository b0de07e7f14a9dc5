import type { AuditRepository } from '../storage/index.js';
import { SqliteAuditRepository } from '../storage/sqlite/sqlite-audit-repository.js';
import { BUSY_TIMEOUT_MS, type Db } from '../storage/sqlite/sqlite-durable.js';
import { archiveSegments } from './audit-archive.js';
import type { AuditChain, RetainResult } from './audit-chain.js';

/**
 * Entries indexed for LookupEvents in one step once this many wait: enough
 * that a step's page writes are shared by many entries, few enough that a
 * step holds up the next batch for a few milliseconds only.
 */
const INDEX_STEP = 1024;
/** Fewer wait this long at most before they are indexed. */
const INDEX_DELAY_MS = 200;
/** Entries per transaction when catching up at start (after an upgrade, a move of an older log or a crash). */
const CATCH_UP_STEP = 16_384;

/**
 * The chain in audit.db, on the audit thread's connection. Its statements
 * run without yielding to other work (the repository's promises are already
 * settled), so nothing else runs on the connection between BEGIN and COMMIT.
 * Only the chain is written in a batch's transaction: LookupEvents' index
 * follows between batches, off the path of the requests waiting for them.
 */
export class SqliteAuditChain implements AuditChain {
  readonly reads: SqliteAuditRepository;
  private readonly begin;
  private readonly commit;
  private readonly rollback;
  /** The newest sequence written (by any process) and the one indexed up to, as this thread last saw them. */
  private last = 0;
  private indexed = 0;
  private idleTimer?: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    /** Cluster workers on this machine share the file: their pending requests are theirs while they run. */
    shared = false,
    /** Raises audit.db's mark of coffer.db's commits (see data-dir-marks.ts), in the batch's own transaction. */
    private readonly recordCofferCommits?: (commits: number) => void,
  ) {
    this.reads = new SqliteAuditRepository(db, shared);
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
  }

  async write<T>(work: (audit: AuditRepository) => Promise<T>, cofferCommits = 0): Promise<T> {
    await lockFor(this.db, this.begin);
    try {
      const result = await work(this.reads);
      if (cofferCommits > 0) this.recordCofferCommits?.(cofferCommits);
      this.commit.run();
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.rollback.run();
      throw error;
    }
  }

  /**
   * Indexes what waits: a step at once if a full one waits (the step delays
   * only the next batch), and the rest at most INDEX_DELAY_MS later. A failed
   * step is tried again later: the index is derived data, and lookups scan
   * the entries not yet in it.
   */
  betweenBatches(last: number): void {
    this.last = Math.max(this.last, last);
    if (this.last - this.indexed >= INDEX_STEP) retryLater(() => this.index(INDEX_STEP));
    if (this.last > this.indexed && !this.idleTimer) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = undefined;
        retryLater(() => this.indexAll(INDEX_STEP));
      }, INDEX_DELAY_MS);
    }
  }

  /** Indexes every entry not yet indexed (at start: what an upgrade, a moved log or a crash left). */
  catchUp(): void {
    this.indexAll(CATCH_UP_STEP);
  }

  async retain(before: number, archiveDir?: string): Promise<RetainResult> {
    const buckets = this.db.transaction(() => this.reads.index.retain(before)).immediate();
    const segments = archiveDir ? await archiveSegments(this.db, archiveDir, new Date(before)) : [];
    return { buckets, segments: segments.map(({ file }) => file) };
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    this.db.close();
  }

  private indexAll(step: number): void {
    while (this.index(step) > 0);
  }

  /** Indexes up to `max` entries in one transaction; how many are left. */
  private index(max: number): number {
    const { indexedUpTo, last } = this.reads.index.indexNext(max);
    this.indexed = indexedUpTo;
    this.last = last;
    return last - indexedUpTo;
  }
}

/**
 * Takes the write lock. Where worker processes share the file, another one's
 * audit thread holds it for its commit, about a millisecond; SQLite's busy
 * handler would sleep in growing steps of up to 100 ms, so it is asked again
 * every millisecond instead, for up to BUSY_TIMEOUT_MS.
 */
async function lockFor(db: Db, begin: { run(): unknown }): Promise<void> {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    // Not a prepared statement: SQLite applies this PRAGMA when it compiles it.
    db.pragma('busy_timeout = 0');
    try {
      begin.run();
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
    } finally {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Runs an index step whose failure only delays the index (the step rolled back; the next call tries again). */
function retryLater(step: () => void): void {
  try {
    step();
  } catch {
    // Lookups scan the entries not yet indexed, so they stay complete meanwhile.
  }
}
