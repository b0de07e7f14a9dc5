import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { ServiceError } from '../errors/service-error.js';
import type { Storage } from '../storage/index.js';
import { toEntryRecord } from './audit-entry-record.js';
import type { AuditRecord } from './audit-record.js';
import type { AuditSink } from './audit-sink.js';
import { signDigest } from './digest.js';
import { appendEntries, GENESIS_HEAD, type Entry } from './hash-chain.js';

interface Pending {
  record: AuditRecord;
  resolve(): void;
  reject(error: Error): void;
}

export interface AuditLogOptions {
  /** Sinks besides the database, each already bounded by a timeout. */
  sinks: AuditSink[];
  /** The key that signs digests of the chain head (undefined while it is unavailable, e.g. sealed). */
  signingKey?: () => Promise<KeyObject | undefined>;
  logger: Logger;
  clock?: () => number;
}

/** The answer to a request whose record could not be made durable. */
export function auditUnavailable(cause: Error): ServiceError {
  return new ServiceError(
    'ServiceUnavailableException',
    `Coffer could not record this request in its audit log, so it was not served (${cause.message}).`,
    { status: 503, messageKey: 'message' },
  );
}

/**
 * The audit log: every record is chained and durable in the database and in
 * every sink before `record` resolves. Records that arrive while a batch is
 * being written wait for the next batch, so under load one transaction and
 * one flush per sink serve many requests (group commit). A failed write puts
 * the log in a failed state in which it refuses new work (fail closed) until a
 * write succeeds again.
 */
export class AuditLog {
  private queue: Pending[] = [];
  private flushing?: Promise<void>;
  private failure?: Error;
  private digestTimer?: NodeJS.Timeout;

  constructor(
    private readonly storage: Storage,
    private readonly options: AuditLogOptions,
  ) {}

  /** Resolves once the record is durable everywhere; rejects with the reason it is not. */
  record(record: AuditRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      // The batch is written after this turn of the event loop: every request
      // whose I/O arrived in it joins the same transaction and flush.
      this.flushing ??= new Promise<void>((next) => setImmediate(next)).then(() => this.drain());
    });
  }

  /**
   * Refuses work while the log cannot write (fail closed). Before a request
   * that changes something, every sink must also still take writes (an empty
   * write opens a file sink, and queues behind its pending flush), so that a
   * sink that stopped working refuses the change instead of leaving it
   * unrecorded. While failed, each call tries the sinks again, so the log
   * recovers as soon as they do.
   */
  async ensureWritable(changes: boolean): Promise<void> {
    if (!this.failure && !(changes && this.options.sinks.length)) return;
    try {
      await Promise.all(this.options.sinks.map((sink) => sink.write([])));
    } catch (error) {
      this.failure ??= error as Error;
      throw auditUnavailable(error as Error);
    }
    if (this.failure) {
      this.failure = undefined;
      this.options.logger.warn('audit log writable again');
    }
  }

  /** Signs a digest of the chain head every `intervalMs` (and once when stopping). */
  startDigests(intervalMs: number): void {
    this.digestTimer = setInterval(() => void this.signHead().catch((err: unknown) => this.options.logger.error({ err }, 'signing an audit digest failed')), intervalMs);
    this.digestTimer.unref();
  }

  /** A signed digest of the current head, unless one already covers it. */
  async signHead(): Promise<void> {
    const key = await this.options.signingKey?.();
    if (!key) return;
    await this.storage.transaction(async (tx) => {
      const head = await tx.audit.head();
      if (!head || (await tx.audit.lastDigest())?.sequence === head.sequence) return;
      await tx.audit.addDigest(signDigest(head, key, new Date((this.options.clock ?? Date.now)())));
    });
  }

  async close(): Promise<void> {
    clearInterval(this.digestTimer);
    await this.flushing;
    await this.signHead().catch(() => undefined);
    await Promise.all(this.options.sinks.map((sink) => sink.close()));
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue;
      this.queue = [];
      try {
        await this.write(batch.map((p) => p.record));
        for (const p of batch) p.resolve();
      } catch (error) {
        this.failure = error as Error;
        this.options.logger.error({ err: error, records: batch.length }, 'audit log write failed: refusing requests until it recovers');
        for (const p of batch) p.reject(error as Error);
      }
    }
    this.flushing = undefined;
  }

  /** Chains the batch on the stored head (read in the same transaction, so processes sharing the database agree). */
  private async write(records: AuditRecord[]): Promise<void> {
    let entries: Entry[] = [];
    await this.storage.transaction(
      async (tx) => {
        entries = appendEntries((await tx.audit.head()) ?? GENESIS_HEAD, records);
        await tx.audit.append(entries.map(toEntryRecord));
      },
      { cachedDataUnchanged: true },
    );
    await Promise.all(this.options.sinks.map((sink) => sink.write(entries)));
  }
}
