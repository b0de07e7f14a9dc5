import type { AuditDigestRecord, AuditEntryRecord, AuditLookupQuery } from '../storage/index.js';
import { SqliteAuditRepository } from '../storage/sqlite/sqlite-audit-repository.js';
import type { Db } from '../storage/sqlite/sqlite-durable.js';
import { toEntryRecord } from './audit-entry-record.js';
import type { AuditRecord } from './audit-record.js';
import type { AuditSink } from './audit-sink.js';
import { appendEntries, GENESIS_HEAD, type ChainHead, type Entry } from './hash-chain.js';

export interface HeadState {
  head?: ChainHead;
  /** The sequence the newest signed digest covers. */
  lastDigest?: number;
}

/**
 * The writing end of the audit log, on the audit thread: it owns the audit
 * database connection and the sinks. Each method runs its statements without
 * yielding to other work (the repository's promises are already settled), so
 * nothing else runs on the connection between BEGIN and COMMIT.
 */
export class AuditWriter {
  private readonly repository: SqliteAuditRepository;
  private readonly begin;
  private readonly commit;
  private readonly rollback;

  constructor(
    private readonly db: Db,
    private readonly sinks: AuditSink[],
  ) {
    this.repository = new SqliteAuditRepository(db);
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
  }

  /**
   * Chains the records on the stored head, read inside the write transaction
   * so that processes sharing the file agree on it; commits (a full sync);
   * then writes the entries to every sink. Resolves once they are durable everywhere.
   */
  async append(texts: readonly string[]): Promise<void> {
    const records = texts.map((text) => JSON.parse(text) as AuditRecord);
    let entries: Entry[] = [];
    await this.inTransaction(async (audit) => {
      entries = appendEntries((await audit.head()) ?? GENESIS_HEAD, records);
      await audit.append(entries.map(toEntryRecord));
    });
    await Promise.all(this.sinks.map((sink) => sink.write(entries)));
  }

  /** Resolves if every sink still takes writes (an empty write opens a file sink, queued behind its pending flush). */
  async probe(): Promise<void> {
    await Promise.all(this.sinks.map((sink) => sink.write([])));
  }

  lookup(query: AuditLookupQuery): Promise<AuditEntryRecord[]> {
    return this.repository.lookup(query);
  }

  entries(after: number, limit: number): Promise<AuditEntryRecord[]> {
    return this.repository.entries(after, limit);
  }

  async head(): Promise<HeadState> {
    const head = await this.repository.head();
    const lastDigest = (await this.repository.lastDigest())?.sequence;
    return { ...(head ? { head } : {}), ...(lastDigest === undefined ? {} : { lastDigest }) };
  }

  /** Stores a digest unless one already covers its sequence or a later one (another process may have signed meanwhile). */
  async addDigest(digest: AuditDigestRecord): Promise<void> {
    await this.inTransaction(async (audit) => {
      if (((await audit.lastDigest())?.sequence ?? -1) >= digest.sequence) return;
      await audit.addDigest(digest);
    });
  }

  async close(): Promise<void> {
    try {
      await Promise.all(this.sinks.map((sink) => sink.close()));
    } finally {
      this.db.close();
    }
  }

  private async inTransaction(work: (audit: SqliteAuditRepository) => Promise<void>): Promise<void> {
    this.begin.run();
    try {
      await work(this.repository);
      this.commit.run();
    } catch (error) {
      if (this.db.inTransaction) this.rollback.run();
      throw error;
    }
  }
}
