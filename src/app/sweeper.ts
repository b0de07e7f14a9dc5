import type { Logger } from 'pino';
import { LeaseLostError } from './runner-lease.js';

/** A kind of background work: does what is due at `now`, in batches, and says how much it did in the batch. */
export interface SweepTask {
  /** What the log says when a batch did something, e.g. "purged secrets whose recovery window ended". */
  done: string;
  run(now: number): Promise<number>;
  /** Work that depends on no time (retrying failed replicas): it runs while the wall clock is not trusted too. */
  anyTime?: boolean;
}

/**
 * Runs background work at an interval: purging deleted secrets, destroying
 * keys whose deletion window ended, rotating keys that are due. Each task runs
 * in batches until a batch finds nothing due. The clock says undefined while
 * its time is not to be trusted (see TrustedClock): the pass then waits, but
 * for tasks that depend on no time.
 */
export class Sweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly tasks: SweepTask[],
    private readonly logger: Logger,
    private readonly clock: () => number | undefined = Date.now,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.sweep(), intervalMs);
    this.timer.unref();
  }

  /** One pass over every task. */
  sweep(): Promise<void> {
    this.running ??= (async () => {
      try {
        for (const task of this.tasks) await this.drain(task);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async drain(task: SweepTask): Promise<void> {
    try {
      let count = 0;
      do {
        const now = this.clock();
        if (now === undefined && !task.anyTime) return;
        count = await task.run(now ?? Date.now());
        if (count) this.logger.info({ count }, task.done);
      } while (count > 0);
    } catch (err) {
      if (err instanceof LeaseLostError) this.logger.warn({ task: task.done }, err.message);
      else this.logger.error({ err, task: task.done }, 'background sweep failed');
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
