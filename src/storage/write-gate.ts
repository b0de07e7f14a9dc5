import type { Logger } from 'pino';

/** The wait before the first probe after a failure; doubled after each failed probe, up to MAX_RETRY_MS. */
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

export interface WriteGateOptions {
  /** What must be written, as the log names it: "audit log", "database coffer.db". */
  name: string;
  /** A real, durable write: resolves once it succeeded. */
  probe: () => Promise<void>;
  /** Whether an error met elsewhere says it cannot be written (see noteError). */
  isWriteFailure?: (error: unknown) => boolean;
  /** A cheap check, for `ready` while the gate is open, that what is written is still there (a database server). */
  ping?: () => Promise<void>;
  logger: Logger;
  clock?: () => number;
  /** Told of every failed write (for metrics). */
  onFailure?: () => void;
}

/**
 * Fail closed around something that must be written: after a failed write
 * the gate is shut, and `check` refuses until a probe (a real, durable
 * write) succeeds. Callers share one probe, and after a failed one the next
 * waits a while (longer each time), so a failure that every request meets
 * costs a probe per interval, not a write and a log line per request.
 */
export class WriteGate {
  private failure?: Error;
  private retryMs = FIRST_RETRY_MS;
  private nextProbeAt = 0;
  private recoveredAt = -Infinity;
  private probing?: Promise<void>;
  private readonly clock: () => number;

  constructor(private readonly options: WriteGateOptions) {
    this.clock = options.clock ?? Date.now;
  }

  /** False from a failed write until a probe (or another write) succeeds. */
  get writable(): boolean {
    return this.failure === undefined;
  }

  /** A write failed: the gate shuts (logged once, when it shuts). */
  fail(error: Error): void {
    this.options.onFailure?.();
    const now = this.clock();
    if (!this.failure) {
      this.options.logger.error({ err: error }, `${this.options.name} cannot be written: refusing requests until it can`);
      // A failure soon after a recovery keeps the longer wait: a store that takes a probe but not the next write does not flap.
      if (now - this.recoveredAt > MAX_RETRY_MS) this.retryMs = FIRST_RETRY_MS;
      this.nextProbeAt = now + this.retryMs;
    }
    this.failure = error;
  }

  /** Shuts the gate if the error, met by a write made elsewhere, says it cannot be written; whether it did. */
  noteError(error: unknown): boolean {
    if (!this.options.isWriteFailure?.(error)) return false;
    this.fail(error as Error);
    return true;
  }

  /** A write succeeded: the gate opens. */
  succeeded(): void {
    if (!this.failure) return;
    this.failure = undefined;
    this.recoveredAt = this.clock();
    this.options.logger.warn(`${this.options.name} writable again`);
  }

  /**
   * Resolves at once while writable. While shut, rejects with the failure,
   * unless the wait since the last probe is over: then one probe runs for
   * every caller, and its success opens the gate.
   */
  check(): Promise<void> {
    if (!this.failure) return Promise.resolve();
    if (this.probing) return this.probing;
    if (this.clock() < this.nextProbeAt) return Promise.reject(this.failure);
    const probing = this.options.probe().then(
      () => this.succeeded(),
      (error: Error) => {
        this.failure = error;
        this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
        this.nextProbeAt = this.clock() + this.retryMs;
        throw error;
      },
    );
    this.probing = probing.finally(() => (this.probing = undefined));
    return this.probing;
  }

  /**
   * Whether it takes writes, probing first if it is shut (for /health). While open, a ping that
   * fails as a write would shuts it: a server with no traffic still reports a database gone.
   */
  async ready(): Promise<boolean> {
    if (this.writable && this.options.ping) {
      try {
        await this.options.ping();
      } catch (error) {
        if (this.noteError(error)) return false;
      }
    }
    return this.check().then(
      () => true,
      () => false,
    );
  }
}
