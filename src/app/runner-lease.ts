import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { LeaseState, Repositories, Storage } from '../storage/index.js';
import { processIdentity, processState } from './process-identity.js';
import { withTransaction } from '../storage/storage-with-transaction.js';

/** The one lease that chooses which process runs background work. */
export const RUNNER_LEASE = 'background';

/** A fenced write found that the lease changed hands: the write was not done. */
export class LeaseLostError extends Error {
  constructor() {
    super('the background lease changed hands: this process no longer runs background work, and the action was not done');
  }
}

/**
 * Decides whether this process runs background work (scheduled rotations,
 * purges, key rotation and destruction, session cleanup, audit digests) by
 * holding one lease in the database. The holder renews every third of the
 * time to live; the others look as often and take the lease when it is free,
 * ran out by the database's clock, or its holder is known gone (a process of
 * this host that no longer runs), or, held from another host, it runs out
 * further ahead than any renewal sets it. Each change of holder raises the fencing
 * token, and every write of background work checks it in its own transaction
 * (`fenced`), so a runner that lost the lease cannot finish a stale action.
 */
export class RunnerLease {
  readonly holder = processIdentity();
  private token?: number;
  /** Monotonic time of the last renewal: past the time to live, this process stops trusting its lease. */
  private renewedAt = -Infinity;
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private stopped = true;
  private onChange: (held: boolean) => Promise<void> | void = () => undefined;

  constructor(
    private readonly storage: Storage,
    private readonly logger: Logger,
    private readonly ttlMs: number,
    private readonly mono: () => number = () => performance.now(),
  ) {}

  /** Competes for the lease from now on; `onChange` is told when this process starts (true) or stops (false) being the runner. */
  start(onChange: (held: boolean) => Promise<void> | void = () => undefined): void {
    this.onChange = onChange;
    this.stopped = false;
    void this.tick();
  }

  /** Looks at the lease now: renews it, takes it, or leaves it to its live holder. */
  tick(): Promise<void> {
    this.ticking ??= this.renew().finally(() => {
      this.ticking = undefined;
      if (this.stopped) return;
      this.timer = setTimeout(() => void this.tick(), this.ttlMs / 3);
      this.timer.unref();
    });
    return this.ticking;
  }

  /** The lease is ours, renewed less than its time to live ago by the monotonic clock. */
  held(): boolean {
    return this.token !== undefined && this.mono() - this.renewedAt < this.ttlMs;
  }

  /** Throws LeaseLostError unless the lease is still ours: call it inside the transaction of a write. */
  readonly fence = async (tx: Repositories): Promise<void> => {
    if (!this.held() || !(await tx.leases.holds(RUNNER_LEASE, this.token!))) throw new LeaseLostError();
  };

  /** The storage with every unit of work fenced: what background work writes through. */
  fenced(storage: Storage): Storage {
    const transaction: Storage['transaction'] = (work) =>
      storage.transaction(async (tx) => {
        await this.fence(tx);
        return work(tx);
      });
    return withTransaction(storage, transaction);
  }

  /** Stops looking, stops the work if it ran here, and frees the lease for another process at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    if (this.token === undefined) return;
    this.token = undefined;
    await this.onChange(false);
    await this.storage.transaction((tx) => tx.leases.release(RUNNER_LEASE, this.holder)).catch((err: unknown) => {
      this.logger.warn({ err }, 'releasing the background lease failed: another process takes over when it runs out');
    });
  }

  private async renew(): Promise<void> {
    clearTimeout(this.timer);
    const was = this.token;
    const started = this.mono();
    let token: number | undefined;
    try {
      token = await this.take();
      if (token !== undefined) this.renewedAt = started;
    } catch (err) {
      this.logger.error({ err }, 'renewing the background lease failed');
      // Not known lost: the fence stops trusting it once its time to live has passed.
      token = was;
    }
    this.token = token;
    if (was === undefined && token !== undefined) {
      this.logger.info({ holder: this.holder, token }, 'this process runs background work');
      await this.onChange(true);
    } else if (was !== undefined && token === undefined) {
      this.logger.warn({ token: was }, 'this process no longer runs background work: another process took the lease');
      await this.onChange(false);
    }
  }

  /** The token if the lease is (now) ours. A lease its live holder keeps is only read, not written. */
  private async take(): Promise<number | undefined> {
    const current = await this.storage.leases.find(RUNNER_LEASE);
    const other = current && current.holder !== this.holder && current.holder !== '' ? current : undefined;
    const why = other && other.expiresInMs > 0 ? this.whyGone(other) : undefined;
    if (other && other.expiresInMs > 0 && !why) return undefined;
    const token = await this.storage.transaction((tx) => tx.leases.acquire(RUNNER_LEASE, this.holder, this.ttlMs, why && other!.holder));
    if (token !== undefined && other) {
      this.logger.warn({ previous: other.holder, token }, `took over background work: ${why ?? 'its runner stopped renewing the lease'}`);
    }
    return token;
  }

  /** Why a lease that has not run out may be taken anyway, if it may. */
  private whyGone(lease: LeaseState): string | undefined {
    const state = processState(lease.holder);
    if (state === 'gone') return 'its runner is a process that is gone';
    // A renewal sets the expiry one time to live ahead (alike on every node, give or take a setting): far beyond that, the database's clock stepped back.
    if (state === 'unknown' && lease.expiresInMs > 10 * this.ttlMs) return 'its lease runs out further ahead than any renewal sets it (the clock stepped back)';
    return undefined;
  }
}
