import { randomUUID } from 'node:crypto';
import type { AuditDigestRecord, AuditEntryRecord, AuditLookupQuery } from '../storage/index.js';
import type { Db } from '../storage/sqlite/sqlite-durable.js';
import { lookupKeysOf, type LookupKeys } from './lookup-keys.js';
import { storedEntry, withLookupKeys } from './stored-entry.js';
import { unknownOutcome, type AuditRecord } from './cloudtrail-record.js';
import type { AuditSink } from './audit-sink.js';
import type { AuditChain, RetainResult } from './audit-chain.js';
import type { AuditCall } from './audit-thread-protocol.js';
import { canonicalJson } from './canonical-json.js';
import { writeDigestFiles } from './digest-file.js';
import { digestHash, type Digest } from './digest.js';
import { chainTexts, GENESIS_HEAD, type ChainHead } from './hash-chain.js';
import { SqliteAuditChain } from './sqlite-audit-chain.js';

export type { RetainResult } from './audit-chain.js';

export interface HeadState {
  head?: ChainHead;
  /** The newest signed digest, which the next one names. */
  lastDigest?: AuditDigestRecord;
}

/** Interrupted requests settled per batch at start. */
const SETTLE_STEP = 1_000;

export interface WriterIdentity {
  /** The process whose requests this writer records (audit_pending's owner). */
  owner: string;
  /** Other processes write to the same file: their pending requests are theirs while they live (SQLite). */
  shared: boolean;
}

/**
 * The writing end of the audit log: it owns the chain's store (see
 * AuditChain) and the sinks. On SQLite it runs on the audit thread; on
 * PostgreSQL on the main thread (see AuditLog).
 */
export class AuditWriter {
  /** The newest sequence this writer wrote. */
  private last = 0;

  constructor(
    private readonly chain: AuditChain,
    private readonly sinks: AuditSink[],
    private readonly owner: string = `${process.pid}:${randomUUID()}`,
    /** Where each digest is also written as a file of its own, if anywhere. */
    private readonly digestDir?: string,
  ) {}

  /** The writer of an audit.db connection (recordCofferCommits: see SqliteAuditChain). */
  static onSqlite(
    db: Db,
    sinks: AuditSink[],
    identity: WriterIdentity = { owner: `${process.pid}:${randomUUID()}`, shared: false },
    recordCofferCommits?: (commits: number) => void,
    digestDir?: string,
  ): AuditWriter {
    return new AuditWriter(new SqliteAuditChain(db, identity.shared, recordCofferCommits), sinks, identity.owner, digestDir);
  }

  /**
   * Chains the records (JSON, one a line, made canonical here, where their
   * lookup keys are taken too) on the stored head, read inside the write transaction
   * so that every writer of the chain agrees on it; commits; then writes the
   * entries to every sink. Resolves once they are durable everywhere. A
   * request record leaves its request pending in the same transaction; its
   * outcome record settles it. Resolves to the sequence of the last entry written.
   */
  async append(records: string, cofferCommits = 0): Promise<number> {
    const parsed = records.split('\n').map((text) => JSON.parse(text) as AuditRecord);
    // Canonicalized here, where there is time to spare (and before the write lock): the main thread sends plain JSON.stringify text.
    const texts = parsed.map((record) => canonicalJson(record));
    await this.write(async () => ({ records: parsed, texts, keys: parsed.map(lookupKeysOf) }), cofferCommits);
    return this.last;
  }

  /**
   * In one write transaction: chains the records `select` gives (with
   * their canonical texts; chosen in that transaction), notes their phases
   * and coffer.db's newest commit number, commits; then the sinks.
   */
  private async write(
    select: (audit: AuditChain['reads']) => Promise<{ records: AuditRecord[]; texts: string[]; keys: LookupKeys[] }>,
    cofferCommits = 0,
  ): Promise<AuditEntryRecord[]> {
    const entries = await this.chain.write(async (audit) => {
      const { records, texts, keys } = await select(audit);
      if (!records.length) return [];
      const links = chainTexts((await audit.head()) ?? GENESIS_HEAD, texts);
      const written = links.map((link, i) => storedEntry(link, texts[i]!, keys[i]!));
      await audit.append(written);
      const requested: { requestId: string; sequence: number }[] = [];
      const settled: string[] = [];
      records.forEach((record, i) => {
        const phase = record.additionalEventData?.auditPhase;
        if (phase === 'request') requested.push({ requestId: record.requestID, sequence: written[i]!.sequence });
        else if (phase === 'outcome') settled.push(record.requestID);
      });
      // Requests first: a batch may hold both records of a request.
      await audit.addPending(requested, this.owner);
      await audit.settlePending(settled);
      return written;
    }, cofferCommits);
    this.last = Math.max(this.last, entries.at(-1)?.sequence ?? 0);
    await Promise.all(this.sinks.map((sink) => sink.write(entries)));
    return entries;
  }

  /** At open, before any lookup is served: derived data brought up to date (see AuditChain.catchUp). */
  catchUp(): void {
    this.chain.catchUp?.();
  }

  /** Between batches, once the waiting requests have their answer (see AuditChain.betweenBatches). */
  maintainIndex(): void {
    this.chain.betweenBatches(this.last);
  }

  /**
   * Appends an outcome record, "unknown", for each request that a process
   * now gone recorded but did not see through (a crash between its two
   * records). A running process's requests are its own. Returns how many
   * were settled.
   */
  async settleInterrupted(): Promise<number> {
    let settled = 0;
    for (;;) {
      // Selected inside the write transaction: processes starting together settle each request once.
      let found = 0;
      const entries = await this.write(async (audit) => {
        const interrupted = await audit.interrupted(this.owner, SETTLE_STEP);
        found = interrupted.length;
        const outcomes: AuditRecord[] = [];
        for (const { requestId, sequence } of interrupted) {
          const [entry] = await audit.entries(sequence - 1, 1);
          if (entry?.sequence === sequence) outcomes.push(unknownOutcome(JSON.parse(entry.recordJson) as AuditRecord));
          // No request record (they commit together, so it cannot be): nothing to settle from.
          else await audit.settlePending([requestId]);
        }
        return { records: outcomes, texts: outcomes.map((o) => canonicalJson(o)), keys: outcomes.map(lookupKeysOf) };
      });
      if (!found) return settled;
      settled += entries.length;
    }
  }

  /** Lookups answer entries with the keys LookupEvents shows, taken again from each record (the chain stores the record alone). */
  async lookup(query: AuditLookupQuery): Promise<AuditEntryRecord[]> {
    return (await this.chain.reads.lookup(query)).map(withLookupKeys);
  }

  async entries(after: number, limit: number): Promise<AuditEntryRecord[]> {
    return (await this.chain.reads.entries(after, limit)).map(withLookupKeys);
  }

  async head(): Promise<HeadState> {
    const head = await this.chain.reads.head();
    const lastDigest = await this.chain.reads.lastDigest();
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
    const stored = await this.chain.write(async (audit) => {
      previous = await audit.lastDigest();
      if ((previous ? digestHash(previous) : null) !== (digest.previousDigestHash ?? null)) return false;
      await audit.addDigest(digest);
      return true;
    });
    if (stored && this.digestDir) writeDigestFiles(this.digestDir, previous ? [previous, digest] : [digest]);
  }

  /** The retention period's end (see AuditChain.retain). */
  retain(before: number, archiveDir?: string): Promise<RetainResult> {
    return this.chain.retain(before, archiveDir);
  }

  async close(): Promise<void> {
    try {
      await Promise.all(this.sinks.map((sink) => sink.close()));
    } finally {
      await this.chain.close();
    }
  }
}

export type WriterCall = Exclude<AuditCall, { op: 'open' | 'close' | 'backup' }>;

/** Runs one call on a writer. */
export function callWriter(writer: AuditWriter, request: WriterCall): Promise<unknown> {
  switch (request.op) {
    case 'append':
      return writer.append(request.records, request.commits);
    case 'settleInterrupted':
      return writer.settleInterrupted();
    case 'lookup':
      return writer.lookup(request.query);
    case 'entries':
      return writer.entries(request.after, request.limit);
    case 'head':
      return writer.head();
    case 'addDigest':
      return writer.addDigest(request.digest);
    case 'retain':
      return writer.retain(request.before, request.archiveDir);
  }
}
