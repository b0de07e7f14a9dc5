import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Storage } from '../storage/index.js';
import type { RotationService } from './rotation-service.js';
import type { RequestScope } from '../secrets/secret-scope.js';

const LEASE = 'rotation-scheduler';
const LEASE_TTL_MS = 90_000;
/** The holder renews well before the lease runs out; others retry as often. Idle, that is two small writes a minute. */
const RENEW_MS = 30_000;

/**
 * Starts scheduled rotations. Exactly one scheduler acts per deployment: it
 * holds a lease in the database (so several processes or nodes may run one;
 * the others wait). It does not scan secrets: it asks the index on the next
 * rotation time for what is due, then sleeps until the earliest next rotation
 * or the lease renewal, whichever comes first — idle, a timer every 30
 * seconds and nothing else.
 */
export class RotationScheduler {
  private readonly holder = randomUUID();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly storage: Storage,
    private readonly rotations: RotationService,
    private readonly scopeOf: (account: string, region: string, now: number) => RequestScope,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
    /** While this says so (a sealed server), nothing is started. */
    private readonly paused: () => boolean = () => false,
  ) {}

  start(): void {
    this.stopped = false;
    void this.tick();
  }

  /** One pass now (tests call it after moving the clock). */
  tick(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    clearTimeout(this.timer);
    let delay = RENEW_MS;
    try {
      const now = this.clock();
      if (!this.paused() && await this.storage.transaction((tx) => tx.leases.acquire(LEASE, this.holder, now, LEASE_TTL_MS))) {
        let started: number;
        do {
          started = await this.rotations.startDue(this.clock(), (s) => this.scopeOf(s.account, s.region, this.clock()));
          if (started) this.logger.info({ started }, 'scheduled rotations started');
        } while (started > 0);
        const next = await this.storage.secrets.nextRotationAt();
        if (next !== undefined) delay = Math.max(0, Math.min(delay, next - this.clock()));
      }
    } catch (err) {
      this.logger.error({ err }, 'rotation scheduler pass failed');
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.tick(), delay);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.storage.transaction((tx) => tx.leases.release(LEASE, this.holder)).catch(() => undefined);
  }
}
