import { randomUUID, type KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { DEFAULTS } from '../config/config.js';
import { ServiceError } from '../errors/service-error.js';
import { WriteGate } from '../storage/write-gate.js';
import type { AuditEntryRecord, AuditLookupQuery } from '../storage/index.js';
import type { DataDirMarks } from '../storage/data-dir-marks.js';
import type { AuditRecord } from './cloudtrail-record.js';
import { AuditThread } from './audit-thread-client.js';
import type { AuditCalls } from './audit-thread-protocol.js';
import { InProcessAudit } from './in-process-audit.js';
import type { AuditChain } from './audit-chain.js';
import { AuditWriter, type HeadState, type RetainResult } from './audit-writer.js';
import { fileSinks } from './jsonl-file-sink.js';
import { signDigest } from './digest.js';
import { serviceEventRecorder } from './service-events.js';

interface Pending {
  /** The record as JSON (the audit thread makes the canonical form its hash covers, and takes its lookup keys). */
  text: string;
  resolve(): void;
  reject(error: Error): void;
}

export interface AuditLogOptions {
  /** The audit database file (audit.db in the data directory), or `:memory:` for a log that lasts as long as the process. */
  path: string;
  /** Other server processes (cluster workers) write to the same file. */
  shared?: boolean;
  /** JSON Lines files that receive every entry besides the database. */
  files?: string[];
  /** How long a sink may take to confirm a write before the requests it records fail. */
  sinkTimeoutMs?: number;
  /** The key that signs digests of the chain head (undefined while it is unavailable, e.g. sealed). */
  signingKey?: () => Promise<KeyObject | undefined>;
  /** How often the signer promises a digest (written into each digest, for verifiers). Default 60. */
  digestIntervalSeconds?: number;
  /** A directory each digest is also written to as a file of its own, to be shipped elsewhere. */
  digestDir?: string;
  logger: Logger;
  clock?: () => number;
  /** The account and region of the records the log writes of itself (its probes); the defaults' when absent. */
  account?: string;
  region?: string;
  /** The data directory's high-water marks: each batch carries coffer.db's into audit.db and brings the audit head back. */
  marks?: DataDirMarks;
  /**
   * The chain in the store's own database (PostgreSQL), opened for this
   * process, instead of the audit database at `path`: written from this
   * thread, as that store's I/O never blocks it.
   */
  chain?: (owner: string) => Promise<AuditChain>;
  /** Told of each record and each batch written (for metrics). */
  observer?: AuditObserver;
}

export interface AuditObserver {
  record(record: AuditRecord): void;
  batch(records: number, seconds: number, ok: boolean): void;
}

/** Reads LookupEvents makes. */
export interface AuditReader {
  lookup(query: AuditLookupQuery): Promise<AuditEntryRecord[]>;
}

/** The answer to a request whose record could not be made durable. */
export function auditUnavailable(cause: Error): ServiceError {
  return new ServiceError(
    'ServiceUnavailableException',
    `Coffer could not record this request in its audit log, so it was not served (${cause.message}).`,
    { status: 503, messageKey: 'message' },
  );
}

/** The answer to a request that was carried out but whose outcome could not be recorded (its request record is durable). */
export function auditOutcomeUnrecorded(cause: Error): ServiceError {
  return new ServiceError(
    'ServiceUnavailableException',
    `Coffer carried out this request, but could not record its outcome in its audit log (${cause.message}); the request itself is recorded. Check the result before retrying.`,
    { status: 503, messageKey: 'message' },
  );
}

/**
 * The audit log: every record is chained and durable in the audit database
 * and in every sink before `record` resolves. The writing happens on the
 * audit thread (audit-thread.ts), or on this thread for a chain in the
 * PostgreSQL store (see AuditChain); this side only serializes each record and
 * hands the waiting ones over as one batch, one batch at a time: records
 * that arrive while a batch is being written (synced) go together in the
 * next one, a single transaction (group commit). A failed write shuts the
 * log's gate: it refuses new work (fail closed) until a probe, itself a
 * record written to the database and every sink, succeeds.
 */
export class AuditLog implements AuditReader {
  private queue: Pending[] = [];
  private scheduled = false;
  /** The batch the audit thread is writing, if any: settles (never rejects) once it is answered. */
  private inFlight?: Promise<void>;
  private inFlightRecords = 0;
  private readonly gate: WriteGate;
  private digestTimer?: NodeJS.Timeout;
  private retentionTimer?: NodeJS.Timeout;

  private constructor(
    private readonly thread: AuditCalls,
    private readonly options: AuditLogOptions,
  ) {
    this.gate = new WriteGate({ name: 'audit log', probe: () => this.probe(), logger: options.logger, clock: options.clock });
  }

  /**
   * Starts the audit thread on the database, or opens the store's chain
   * (rejects if it cannot be opened), and records the outcome of requests a
   * stop interrupted as unknown.
   */
  static async open(options: AuditLogOptions): Promise<AuditLog> {
    // Unique to this process, whose pid a later one may reuse (pid 1 in a container).
    const owner = `${process.pid}:${randomUUID()}`;
    const thread = options.chain ? await inProcess(options.chain, owner, options) : await AuditThread.start({
      path: options.path,
      files: options.files ?? [],
      sinkTimeoutMs: options.sinkTimeoutMs ?? 5000,
      shared: options.shared ?? false,
      owner,
      ...(options.digestDir ? { digestDir: options.digestDir } : {}),
    });
    const log = new AuditLog(thread, options);
    try {
      const settled = await thread.call<number>({ op: 'settleInterrupted' });
      if (settled) options.logger.warn({ requests: settled }, 'requests interrupted by a stop before their outcome was recorded: recorded with outcome unknown');
    } catch (error) {
      // Left pending: the next start tries again.
      options.logger.error({ err: error }, 'could not record the outcome of requests interrupted by a stop');
    }
    return log;
  }

  /** Resolves once the record is durable everywhere; rejects with the reason it is not. */
  record(record: AuditRecord): Promise<void> {
    this.options.observer?.record(record);
    let text: string;
    try {
      // The audit thread turns it into the canonical form the chain hashes (native JSON is cheaper here).
      text = JSON.stringify(record);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ text, resolve, reject });
      // Handed over after this turn of the event loop, so that every request whose I/O arrived in it goes in
      // one message; while a batch is being written, records wait for its answer and go together after it.
      if (!this.scheduled && !this.inFlight) {
        this.scheduled = true;
        setImmediate(() => this.handOver());
      }
    });
  }

  /**
   * Refuses work while the log cannot write (fail closed): costs nothing
   * while it can; after a failed write, probes now and then (see WriteGate)
   * and refuses until a probe succeeds.
   */
  async ensureWritable(): Promise<void> {
    try {
      await this.gate.check();
    } catch (error) {
      throw auditUnavailable(error as Error);
    }
  }

  /** Records waiting to be written, and those being written. */
  get queueDepth(): number {
    return this.queue.length + this.inFlightRecords;
  }

  /** False from a failed write until a probe succeeds: the server then serves nothing. */
  get writable(): boolean {
    return this.gate.writable;
  }

  /** Whether the log takes writes, probing first if a write failed (for /health). */
  ready(): Promise<boolean> {
    return this.gate.ready();
  }

  lookup(query: AuditLookupQuery): Promise<AuditEntryRecord[]> {
    return this.thread.call({ op: 'lookup', query });
  }

  /** A copy of audit.db at `path` (SQLite's online backup on the audit thread). */
  backup(path: string): Promise<void> {
    return this.thread.call({ op: 'backup', path });
  }

  /** Entries in chain order after `afterSequence`. */
  entries(afterSequence: number, limit: number): Promise<AuditEntryRecord[]> {
    return this.thread.call({ op: 'entries', after: afterSequence, limit });
  }

  /** Signs a digest of the chain head every `intervalMs` (and once when stopping). */
  startDigests(intervalMs: number): void {
    this.stopDigests();
    this.digestTimer = setInterval(() => void this.signHead().catch((err: unknown) => this.options.logger.error({ err }, 'signing an audit digest failed')), intervalMs);
    this.digestTimer.unref();
  }

  /** Another process signs digests from now on (it holds the background lease). */
  stopDigests(): void {
    clearInterval(this.digestTimer);
  }

  /** A signed digest of the current head, naming the newest digest, unless that one covers the head. The key never leaves this thread. */
  async signHead(): Promise<void> {
    const key = await this.options.signingKey?.();
    if (!key) return;
    const { head, lastDigest } = await this.thread.call<HeadState>({ op: 'head' });
    if (!head || lastDigest?.sequence === head.sequence) return;
    const digest = signDigest(head, key, {
      time: new Date((this.options.clock ?? Date.now)()),
      ...(lastDigest ? { previous: lastDigest } : {}),
      intervalSeconds: this.options.digestIntervalSeconds ?? 60,
    });
    await this.thread.call({ op: 'addDigest', digest });
  }

  /** Every `intervalMs`, applies the retention period (see retain). */
  startRetention(intervalMs: number, retentionMs: number, archiveDir?: string): void {
    this.stopRetention();
    this.retentionTimer = setInterval(() => void this.retain(retentionMs, archiveDir).catch((err: unknown) => this.options.logger.error({ err }, 'audit retention failed')), intervalMs);
    this.retentionTimer.unref();
  }

  /** Another process applies retention from now on (it holds the background lease). */
  stopRetention(): void {
    clearInterval(this.retentionTimer);
  }

  /** Entries older than `retentionMs` leave LookupEvents and, with an archive directory, audit.db for archive segments there. */
  async retain(retentionMs: number, archiveDir?: string): Promise<RetainResult> {
    const before = (this.options.clock ?? Date.now)() - retentionMs;
    const result = await this.thread.call<RetainResult>({ op: 'retain', before, ...(archiveDir ? { archiveDir } : {}) });
    if (result.segments.length) this.options.logger.info({ segments: result.segments, archiveDir }, 'audit log segments archived');
    return result;
  }

  /**
   * A real write through the whole path, to the database and every sink: a
   * record of Coffer's own saying that it probed its audit log (a probe that
   * fails at a sink may leave it in the database alone).
   */
  private probe(): Promise<void> {
    return serviceEventRecorder(this, this.options.clock)({
      eventSource: 'operator.coffer',
      eventName: 'ProbeAuditLog',
      account: this.options.account ?? DEFAULTS.accountId,
      region: this.options.region ?? DEFAULTS.region,
    });
  }

  async close(): Promise<void> {
    clearInterval(this.digestTimer);
    clearInterval(this.retentionTimer);
    for (this.handOver(); this.inFlight; this.handOver()) await this.inFlight;
    await this.signHead().catch(() => undefined);
    await this.thread.close();
  }

  /** Hands the waiting records to the audit thread as one message, unless a batch is still being written. */
  private handOver(): void {
    this.scheduled = false;
    if (this.inFlight || !this.queue.length) return;
    const batch = this.queue;
    this.queue = [];
    // One string crosses to the thread more cheaply than an array of them; JSON text holds no raw newline.
    const records = batch.map((p) => p.text).join('\n');
    const marks = this.options.marks;
    const started = performance.now();
    const observed = (ok: boolean) => this.options.observer?.batch(batch.length, (performance.now() - started) / 1000, ok);
    this.inFlightRecords = batch.length;
    this.inFlight = this.thread.call<number>({ op: 'append', records, commits: marks?.commits }).then(
      (sequence) => {
        observed(true);
        this.gate.succeeded();
        if (marks && sequence > marks.auditSequence) marks.auditSequence = sequence;
        for (const p of batch) p.resolve();
      },
      (error: Error) => {
        observed(false);
        this.gate.fail(error);
        for (const p of batch) p.reject(error);
      },
    ).finally(() => {
      this.inFlight = undefined;
      this.inFlightRecords = 0;
      this.handOver();
    });
  }
}

/** A writer on this thread for a chain in the store's database. */
async function inProcess(openChain: (owner: string) => Promise<AuditChain>, owner: string, options: AuditLogOptions): Promise<AuditCalls> {
  const chain = await openChain(owner);
  return new InProcessAudit(new AuditWriter(chain, fileSinks(options.files ?? [], options.sinkTimeoutMs ?? 5000), owner, options.digestDir));
}
