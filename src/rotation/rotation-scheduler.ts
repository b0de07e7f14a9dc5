import type { Logger } from 'pino';
import type { Storage } from '../storage/index.js';
import type { RotationService } from './rotation-service.js';
import type { RequestScope } from '../shared/request-scope.js';

/** The longest sleep between passes, so that a schedule changed elsewhere is seen soon enough. */
const MAX_SLEEP_MS = 30_000;

/**
 * Starts scheduled rotations. One scheduler acts per deployment: it runs only
 * in the process that holds the background lease, which starts and stops it
 * (and whose fencing token guards the writes of `rotations`). It does not scan
 * secrets: it asks the index on the next rotation time for what is due, then
 * sleeps until the earliest next rotation, at most 30 seconds.
 */
export class RotationScheduler {
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
    let delay = MAX_SLEEP_MS;
    try {
      if (!this.paused()) {
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
  }
}
