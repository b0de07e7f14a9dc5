import type { Logger } from 'pino';
import type { SecretService } from './secret-service.js';

/** Purges secrets whose recovery window has ended, in the background, at an interval. */
export class DeletionSweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly secrets: SecretService,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.sweep(), intervalMs);
    this.timer.unref();
  }

  /** One pass; purges in batches until nothing is due. */
  sweep(): Promise<void> {
    this.running ??= (async () => {
      try {
        let purged: number;
        do {
          purged = await this.secrets.purgeExpired(this.clock());
          if (purged) this.logger.info({ purged }, 'purged secrets whose recovery window ended');
        } while (purged > 0);
      } catch (err) {
        this.logger.error({ err }, 'deletion sweep failed');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
