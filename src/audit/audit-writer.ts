import { randomUUID } from 'node:crypto';
import type { AuditDigestRecord, AuditEntryRecord, AuditLookupQuery } from '../storage/index.js';
import { AuditPendingRequests } from '../storage/sqlite/audit-pending-requests.js';
import { SqliteAuditRepository } from '../storage/sqlite/sqlite-audit-repository.js';
import { BUSY_TIMEOUT_MS, type Db } from '../storage/sqlite/sqlite-durable.js';
import { lookupKeysOf, storedEntry, withLookupKeys, type LookupKeys } from './audit-entry-record.js';
import { unknownOutcome, type AuditRecord } from './audit-record.js';
import type { AuditSink } from './audit-sink.js';
import { canonicalJson } from './canonical-json.js';
import { archiveSegments } from './audit-archive.js';
import { writeDigestFiles } from './digest-file.js';
import { digestHash, type Digest } from './digest.js';
import { chainTexts, GENESIS_HEAD, type ChainHead } from './hash-chain.js';

export interface RetainResult {
  /** Index buckets dropped. */
  buckets: number;
  /** Archive segment files written. */
  segments: string[];
}

export interface HeadState {
  head?: ChainHead;
  /** The newest signed digest, which the next one names. */
  lastDigest?: AuditDigestRecord;
}

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
/** Interrupted requests settled per batch at start. */
const SETTLE_STEP = 1_000;

export interface WriterIdentity {
  /** The process whose requests this writer records (audit_pending's owner). */
  owner: string;
  /** Other processes write to the same file: their pending requests are theirs while they live. */
  shared: boolean;
}

/**
 * The writing end of the audit log, on the audit thread: it owns the audit
 * database connection and the sinks. Each method runs its statements without
 * yielding to other work (the repository's promises are already settled), so
 * nothing else runs on the connection between BEGIN and COMMIT.
 */
export class AuditWriter {
  private readonly repository: SqliteAuditRepository;
  private readonly pending: AuditPendingRequests;
  private readonly begin;
  private readonly commit;
  private readonly rollback;
  /** The newest sequence written (by any process) and the one indexed up to, as this thread last saw them. */
  private last = 0;
  private indexed = 0;
  private idleTimer?: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    private readonly sinks: AuditSink[],
    private readonly identity: WriterIdentity = { owner: `${process.pid}:${randomUUID()}`, shared: false },
    /** Raises audit.db's mark of coffer.db's commits (see data-dir-marks.ts), in the batch's own transaction. */
    private readonly recordCofferCommits?: (commits: number) => void,
    /** Where each digest is also written as a file of its own, if anywhere. */
    private readonly digestDir?: string,
  ) {
    this.repository = new SqliteAuditRepository(db);
    this.pending = new AuditPendingRequests(db);
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
  }

  /**
   * Chains the records (JSON, one a line, made canonical here; lookup keys
   * as a JSON array) on the stored head, read inside the write transaction
   * so that processes sharing the file agree on it; commits (a full sync);
   * then writes the entries to every sink. Resolves once they are durable
   * everywhere. Only the chain is written here: the lookup index follows in
   * maintainIndex, off the path of the requests waiting for this. A request
   * record leaves its request pending in the same transaction; its outcome
   * record settles it. Resolves to the sequence of the last entry written.
   */
  async append(records: string, keys: string, cofferCommits = 0): Promise<number> {
    const parsed = records.split('\n').map((text) => JSON.parse(text) as AuditRecord);
    const lookupKeys = JSON.parse(keys) as LookupKeys[];
    if (lookupKeys.length !== parsed.length) throw new Error(`${parsed.length} audit records came with ${lookupKeys.length} sets of lookup keys`);
    // Canonicalized here, where there is time to spare (and before the write lock): the main thread sends plain JSON.stringify text.
    const texts = parsed.map((record) => canonicalJson(record));
    await this.write(async () => ({ records: parsed, texts, keys: lookupKeys }), cofferCommits);
    return this.last;
  }

  /**
   * In one write transaction: chains the records `select` gives (with
   * their canonical texts; chosen in that transaction), notes their phases
   * and coffer.db's newest commit number, commits; then the sinks.
   */
  private async write(
    select: () => Promise<{ records: AuditRecord[]; texts: string[]; keys: LookupKeys[] }>,
    cofferCommits = 0,
  ): Promise<AuditEntryRecord[]> {
    let entries: AuditEntryRecord[] = [];
    await this.inTransaction(async (audit) => {
      const { records, texts, keys } = await select();
      if (!records.length) return;
      const links = chainTexts((await audit.head()) ?? GENESIS_HEAD, texts);
      entries = links.map((link, i) => storedEntry(link, texts[i]!, keys[i]!));
      await audit.append(entries);
      records.forEach((record, i) => {
        const phase = record.additionalEventData?.auditPhase;
        if (phase === 'request') this.pending.add(record.requestID, entries[i]!.sequence, this.identity.owner);
        else if (phase === 'outcome') this.pending.settle(record.requestID);
      });
      if (cofferCommits > 0) this.recordCofferCommits?.(cofferCommits);
    });
    this.last = Math.max(this.last, entries.at(-1)?.sequence ?? 0);
    await Promise.all(this.sinks.map((sink) => sink.write(entries)));
    return entries;
  }

  /**
   * Indexes what waits: a step at once if a full one waits (called after a
   * batch is answered, so the step delays only the next batch), and the
   * rest at most INDEX_DELAY_MS later. A failed step is
   * tried again later: the index is derived data, and lookups scan the
   * entries not yet in it.
   */
  maintainIndex(): void {
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

  /**
   * Appends an outcome record, "unknown", for each request that a process
   * now gone recorded but did not see through (a crash between its two
   * records). Where processes share the file, a live one's requests are its
   * own. Returns how many were settled.
   */
  async settleInterrupted(): Promise<number> {
    let settled = 0;
    for (;;) {
      // Selected inside the write transaction: processes starting together settle each request once.
      let found = 0;
      const entries = await this.write(async () => {
        const interrupted = this.pending
          .ofOthers(this.identity.owner)
          .filter((p) => !this.identity.shared || !isRunning(p.owner))
          .slice(0, SETTLE_STEP);
        found = interrupted.length;
        const outcomes: AuditRecord[] = [];
        for (const { requestId, sequence } of interrupted) {
          const [entry] = await this.repository.entries(sequence - 1, 1);
          if (entry?.sequence === sequence) outcomes.push(unknownOutcome(JSON.parse(entry.recordJson) as AuditRecord));
          // No request record (they commit together, so it cannot be): nothing to settle from.
          else this.pending.settle(requestId);
        }
        return { records: outcomes, texts: outcomes.map((o) => canonicalJson(o)), keys: outcomes.map(lookupKeysOf) };
      });
      if (!found) return settled;
      settled += entries.length;
    }
  }

  /** Lookups answer entries with the keys LookupEvents shows, taken again from each record (the chain stores the record alone). */
  async lookup(query: AuditLookupQuery): Promise<AuditEntryRecord[]> {
    return (await this.repository.lookup(query)).map(withLookupKeys);
  }

  async entries(after: number, limit: number): Promise<AuditEntryRecord[]> {
    return (await this.repository.entries(after, limit)).map(withLookupKeys);
  }

  async head(): Promise<HeadState> {
    const head = await this.repository.head();
    const lastDigest = await this.repository.lastDigest();
    return { ...(head ? { head } : {}), ...(lastDigest ? { lastDigest } : {}) };
  }

  /**
   * Stores a digest unless the newest stored one is no longer the one it
   * names (another process signed meanwhile: the digest chain stays a
   * chain), then writes it, and the one it names if that file is missing,
   * to the digest directory.
   */
  async addDigest(digest: AuditDigestRecord): Promise<void> {
    let previous: Digest | undefined;
    let stored = false;
    await this.inTransaction(async (audit) => {
      previous = await audit.lastDigest();
      if ((previous ? digestHash(previous) : null) !== (digest.previousDigestHash ?? null)) return;
      await audit.addDigest(digest);
      stored = true;
    });
    if (stored && this.digestDir) writeDigestFiles(this.digestDir, previous ? [previous, digest] : [digest]);
  }

  /**
   * The retention period's end: entries older than `before` (epoch ms) are
   * no longer answered by lookups, and those covered by a digest signed
   * before it move to archive segments in `archiveDir`.
   */
  async retain(before: number, archiveDir?: string): Promise<RetainResult> {
    const buckets = this.db.transaction(() => this.repository.index.retain(before)).immediate();
    const segments = archiveDir ? await archiveSegments(this.db, archiveDir, new Date(before)) : [];
    return { buckets, segments: segments.map(({ file }) => file) };
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    try {
      await Promise.all(this.sinks.map((sink) => sink.close()));
    } finally {
      this.db.close();
    }
  }

  private indexAll(step: number): void {
    while (this.index(step) > 0);
  }

  /** Indexes up to `max` entries in one transaction; how many are left. */
  private index(max: number): number {
    const { indexedUpTo, last } = this.repository.index.indexNext(max);
    this.indexed = indexedUpTo;
    this.last = last;
    return last - indexedUpTo;
  }

  private async inTransaction(work: (audit: SqliteAuditRepository) => Promise<void>): Promise<void> {
    await lockFor(this.db, this.begin);
    try {
      await work(this.repository);
      this.commit.run();
    } catch (error) {
      if (this.db.inTransaction) this.rollback.run();
      throw error;
    }
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

/** Whether the process of an audit_pending owner (`<pid>:<nonce>`) still runs (a reused pid counts as running: it stays pending). */
function isRunning(owner: string): boolean {
  try {
    process.kill(Number(owner.split(':')[0]), 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
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
