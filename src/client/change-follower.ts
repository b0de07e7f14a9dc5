import type { SecretChange } from '../api/change-feed/change-feed-model.js';
import { ApiError, postSignedJson, type Connection } from './signed-json-request.js';

/** One change as `CofferChangeFeed.GetChanges` answers it. */
export type SecretChangeEvent = SecretChange;

export interface FollowerOptions {
  /** Only changes to these secrets (names or ARNs); all the caller may describe otherwise. */
  secretIds?: string[];
  /** How long one poll waits on the server for a change (at most 20). */
  waitSeconds?: number;
  /** Waits between attempts after a failure: from the first, doubling up to the last. */
  retryMs?: { first: number; max: number };
  clock?: () => number;
}

export interface FollowerListener {
  /** Changes, in commit order, each heard once. */
  changes(changes: SecretChangeEvent[]): void;
  /** The cursor expired (the server kept no record of some changes): whatever was loaded before may be stale. */
  reset(): void;
}

/** The server answered that it has no change feed: it is not Coffer (AWS Secrets Manager itself, say). */
export class NoChangeFeedError extends Error {}

const NOT_A_FEED = new Set(['UnknownOperationException', 'InvalidAction', 'UnrecognizedClientException', 'InvalidSignatureException']);

/**
 * Follows Coffer's change feed by long polling, from a cursor taken when it starts: a poll
 * waits on the server until a change comes, and the next one starts from where the last
 * answer ended, so nothing is missed and nothing heard twice, across reconnections too.
 * When the server is away it tries again, waiting longer each time (with jitter), and keeps
 * its cursor; if the cursor expired meanwhile it takes a new one and says so (`reset`).
 */
export class ChangeFollower {
  private cursor?: string;
  private stopped = false;
  private running?: Promise<void>;
  private readonly stopping = new AbortController();
  /** From when every change is heard (the cursor's start), while the chain of cursors holds. */
  coveredSince?: number;
  /** When the feed was last known current, while it is lost (undefined while connected). */
  lostAt?: number;
  private lastAnswer = 0;

  constructor(
    private readonly connection: () => Promise<Connection>,
    private readonly listener: FollowerListener,
    private readonly options: FollowerOptions = {},
  ) {}

  get connected(): boolean {
    return this.coveredSince !== undefined && this.lostAt === undefined;
  }

  /**
   * Takes a cursor and follows from it. Resolves once the first cursor is taken (changes from
   * then on are heard); rejects with NoChangeFeedError where the server has none. A server
   * that cannot be reached is tried again until it answers.
   */
  async start(): Promise<void> {
    await this.retrying(() => this.takeCursor());
    this.running = this.follow().catch(() => {
      // The server stopped offering a feed: what was heard so far no longer covers anything.
      this.lostAt ??= this.lastAnswer;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    await this.running;
  }

  private async takeCursor(): Promise<void> {
    const started = this.now();
    const answer = await this.poll({});
    this.cursor = answer.NextCursor;
    this.coveredSince = started;
    this.lostAt = undefined;
    this.lastAnswer = this.now();
  }

  private async follow(): Promise<void> {
    while (!this.stopped) {
      await this.retrying(async () => {
        try {
          const answer = await this.poll({ Cursor: this.cursor, WaitTimeSeconds: this.options.waitSeconds ?? 20 });
          this.cursor = answer.NextCursor;
          this.lastAnswer = this.now();
          this.lostAt = undefined;
          if (answer.Changes.length > 0) this.listener.changes(answer.Changes);
        } catch (error) {
          if (!(error instanceof ApiError) || error.code !== 'ExpiredCursorException') throw error;
          // Changes were missed: start a new chain, then say that what was loaded before may be stale.
          this.coveredSince = undefined;
          await this.takeCursor();
          this.listener.reset();
        }
      });
    }
  }

  /** Runs `attempt` until it succeeds (or the follower stops), marking the feed lost after a failure. */
  private async retrying(attempt: () => Promise<void>): Promise<void> {
    const { first, max } = this.options.retryMs ?? { first: 100, max: 5000 };
    for (let wait = first; !this.stopped; wait = Math.min(max, wait * 2)) {
      try {
        await attempt();
        return;
      } catch (error) {
        if (error instanceof NoChangeFeedError || this.stopped) throw error;
        this.lostAt ??= this.lastAnswer;
        await this.pause(wait / 2 + (Math.random() * wait) / 2);
      }
    }
  }

  /** Waits `ms`, or less if the follower stops. */
  private pause(ms: number): Promise<void> {
    const { signal } = this.stopping;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private async poll(input: { Cursor?: string; WaitTimeSeconds?: number }): Promise<{ Changes: SecretChangeEvent[]; NextCursor: string }> {
    const body = this.options.secretIds ? { ...input, SecretIds: this.options.secretIds } : input;
    try {
      const connection = await this.connection();
      // A poll the server holds for its wait, plus time to answer: longer means the connection is gone.
      const timeoutMs = ((input.WaitTimeSeconds ?? 0) + 10) * 1000;
      return (await postSignedJson(connection, 'coffer', 'CofferChangeFeed.GetChanges', body, { timeoutMs, signal: this.stopping.signal })) as { Changes: SecretChangeEvent[]; NextCursor: string };
    } catch (error) {
      if (error instanceof ApiError && (NOT_A_FEED.has(error.code) || error.status === 404)) {
        throw new NoChangeFeedError(`the server has no Coffer change feed (${error.code}: ${error.message})`);
      }
      throw error;
    }
  }

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }
}
