import type { RecordedSecretChange, Storage } from '../storage/index.js';

export interface FeedRead {
  changes: RecordedSecretChange[];
  cursor: string;
}

export interface FeedQuery {
  /** Changes read from the log at a time. */
  limit: number;
  /** How long to wait for a change the reader may see when none is there yet. */
  waitMs: number;
  /** Which of the changes read the reader may see (and wants). */
  visible(changes: RecordedSecretChange[]): Promise<RecordedSecretChange[]>;
}

/**
 * The change feed as the domain serves it: the storage's change log read after a cursor, long
 * polled. A read answers as soon as there is a change its reader may see, or when its wait is
 * over; meanwhile it sleeps until the storage's change feed says a secret changed (its own
 * units at commit, other processes' and nodes' as they are learnt), and reads the log again.
 */
export class SecretChangeFeed {
  private readonly sleepers = new Set<() => void>();
  private closed = false;

  constructor(private readonly storage: Storage) {
    storage.changes.subscribe((keys) => {
      if (keys === 'all' || keys.some((key) => key.startsWith('secret:'))) this.wake();
    });
  }

  async read(cursor: string | undefined, query: FeedQuery): Promise<FeedRead> {
    if (cursor === undefined) return this.storage.readSecretChanges(undefined, query.limit);
    const deadline = Date.now() + query.waitMs;
    let stopFollowing: (() => void) | undefined;
    try {
      for (;;) {
        const epoch = this.storage.changes.epoch;
        const page = await this.storage.readSecretChanges(cursor, query.limit);
        cursor = page.cursor;
        const changes = await query.visible(page.changes);
        if (changes.length > 0 || this.closed || Date.now() >= deadline) return { changes, cursor };
        if (page.more) continue;
        // Nothing to see yet: changes applied since the read began may be after it; else sleep till one is.
        if (this.storage.changes.epoch !== epoch) continue;
        stopFollowing ??= this.storage.followChanges?.();
        await this.sleep(deadline - Date.now());
      }
    } finally {
      stopFollowing?.();
    }
  }

  /** Ends every wait now (the server is stopping): reads answer what they have. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private wake(): void {
    for (const wake of [...this.sleepers]) wake();
  }
}
