import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CacheEntries, followedStage, requestKey, type CacheEntry, type SecretRequest, type SecretValue } from './cache-entries.js';
import { ChangeFollower, NoChangeFeedError, type SecretChangeEvent } from './change-follower.js';
import { clientConnection } from './client-connection.js';

export type { SecretValue } from './cache-entries.js';

export interface SecretCacheOptions {
  /** The client reads go through (its endpoint, region and credentials); by default one found as the AWS CLI finds them. */
  client?: SecretsManagerClient;
  /** Seconds a value is served without the server's word that it is current; 0 caches nothing. Default 300, as AWS's caches. */
  ttlSeconds?: number;
  /** Values kept at most (the least recently used go first). Default 1,000. */
  maxEntries?: number;
  /** Follow Coffer's change feed, where the endpoint has one. Default true. */
  changeFeed?: boolean;
  /** Seconds a value is still served, once due, while the server cannot be reached. Default 300. */
  maxStaleSeconds?: number;
}

export interface GetOptions {
  versionStage?: string;
  versionId?: string;
  /** Read from the server now, whatever the cache holds (AWS agent's `refreshNow`). */
  refreshNow?: boolean;
}

type FeedState = 'off' | 'starting' | 'following' | 'none';

/** Changes after which a secret's values are not served any more. */
const GONE = new Set(['SecretDeleted', 'SecretPurged']);
/** Changes that leave every version and label as they were. */
const UNCHANGED_VALUES = new Set(['SecretCreated', 'SecretUpdated', 'SecretRestored', 'RotationFailed']);
/** Reads again at most this many times when a change to the secret is heard while reading it. */
const MAX_REREADS = 3;

/** A failure that says nothing of the secret: the server or the way to it is away, or overloaded. */
function isTransient(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === undefined || status >= 500 || status === 429;
}

function withStages(value: SecretValue, stages: Record<string, string[]>): SecretValue {
  return { ...value, VersionStages: stages[value.VersionId] ?? [] };
}

/**
 * A cache of secret values for Node.js programs, on `@aws-sdk/client-secrets-manager`: it
 * works against AWS Secrets Manager and against Coffer. Values are kept by version: a label
 * (AWSCURRENT by default) follows the version it names. Against Coffer the cache follows the
 * change feed: a value is served until a change names its secret (a new version, a label
 * moved, a deletion), and the new one is read at once; otherwise, or for a secret the caller
 * may not DescribeSecret (the feed tells only of those), a value is read again after the TTL.
 * However many callers ask at once, one read per value is in flight.
 *
 * ```ts
 * import { SecretCache } from 'coffer/client';
 * const cache = new SecretCache();
 * const db = await cache.getSecretJson<{ username: string; password: string }>('prod/db');
 * ```
 */
export class SecretCache {
  readonly client: SecretsManagerClient;
  private readonly ownClient: boolean;
  private readonly ttlMs: number;
  private readonly maxStaleMs: number;
  private readonly entries: CacheEntries;
  private readonly inFlight = new Map<string, Promise<SecretValue>>();
  /** Changes heard so far, and, while reads are in flight, the count when the last one naming each secret was heard. */
  private heard = 0;
  private readonly lastHeard = new Map<string, number>();
  /** Whether the caller may DescribeSecret each secret, i.e. hears of its changes. */
  private readonly describable = new Map<string, boolean | 'checking'>();
  private follower?: ChangeFollower;
  private feed: FeedState;
  private started?: Promise<void>;

  constructor(options: SecretCacheOptions = {}) {
    this.ownClient = options.client === undefined;
    this.client = options.client ?? new SecretsManagerClient({});
    this.ttlMs = (options.ttlSeconds ?? 300) * 1000;
    this.maxStaleMs = (options.maxStaleSeconds ?? 300) * 1000;
    this.entries = new CacheEntries(options.maxEntries ?? 1000);
    this.feed = options.changeFeed === false || this.ttlMs === 0 ? 'off' : 'starting';
  }

  /**
   * Starts following the change feed (the first read does too): resolves once changes are
   * heard from now on, or at once where the endpoint has no feed.
   */
  start(): Promise<void> {
    this.started ??= this.follow();
    return this.started;
  }

  /** Whether values are kept fresh by the change feed now. */
  get following(): boolean {
    return this.feed === 'following' && this.follower!.connected;
  }

  async getSecretValue(secretId: string, options: GetOptions = {}): Promise<SecretValue> {
    const request: SecretRequest = { secretId, versionStage: options.versionStage, versionId: options.versionId };
    if (this.ttlMs === 0) return this.read(request);
    void this.start();
    const key = requestKey(request);
    const entry = options.refreshNow ? undefined : this.entries.use(key);
    if (entry && this.isFresh(entry)) return entry.value;
    try {
      return await this.load(key, request, options.refreshNow === true);
    } catch (error) {
      // The server is away: a value is still served for a while past its time.
      if (entry && isTransient(error) && Date.now() < this.dueAt(entry) + this.maxStaleMs) return entry.value;
      throw error;
    }
  }

  async getSecretString(secretId: string, options?: GetOptions): Promise<string> {
    const value = await this.getSecretValue(secretId, options);
    if (value.SecretString === undefined) throw new Error(`the secret ${value.Name} holds a binary value, not a string`);
    return value.SecretString;
  }

  async getSecretJson<T = unknown>(secretId: string, options?: GetOptions): Promise<T> {
    return JSON.parse(await this.getSecretString(secretId, options)) as T;
  }

  async getSecretBinary(secretId: string, options?: GetOptions): Promise<Uint8Array> {
    const value = await this.getSecretValue(secretId, options);
    if (value.SecretBinary === undefined) throw new Error(`the secret ${value.Name} holds a string, not a binary value`);
    return value.SecretBinary;
  }

  /** Stops following the feed (and closes the client, if the cache made it). */
  async close(): Promise<void> {
    this.feed = 'off';
    await this.follower?.stop();
    if (this.ownClient) this.client.destroy();
  }

  private async follow(): Promise<void> {
    if (this.feed !== 'starting') return;
    try {
      const connection = await clientConnection(this.client);
      if (!connection) throw new NoChangeFeedError('the client uses AWS endpoints');
      this.follower = new ChangeFollower(connection, { changes: (changes) => this.hear(changes), reset: () => this.entries.clear() });
      await this.follower.start();
      if (this.feed === 'starting') this.feed = 'following';
    } catch {
      // No feed (AWS itself, another endpoint, a client configured wrong): the TTL alone keeps values fresh.
      if (this.feed === 'starting') this.feed = 'none';
    }
  }

  /** Fresh: the feed would have told of a change (and is there to tell), or it is younger than the TTL. */
  private isFresh(entry: CacheEntry): boolean {
    return (this.watched(entry) && this.follower!.connected) || Date.now() - entry.fetchedAt < this.ttlMs;
  }

  /** Whether every change to the entry's secret since it was read has been (or will be) heard. */
  private watched(entry: CacheEntry): boolean {
    const since = this.feed === 'following' ? this.follower!.coveredSince : undefined;
    return since !== undefined && entry.fetchedAt >= since && this.describable.get(entry.value.ARN) === true;
  }

  /** When a value stopped being fresh, or will. */
  private dueAt(entry: CacheEntry): number {
    const expires = entry.fetchedAt + this.ttlMs;
    const lostAt = this.follower?.lostAt;
    return this.watched(entry) && lostAt !== undefined ? Math.max(lostAt, expires) : expires;
  }

  /** One read per key at a time; the value is kept unless a change to its secret came while it was read. */
  private load(key: string, request: SecretRequest, refresh: boolean): Promise<SecretValue> {
    const running = this.inFlight.get(key);
    if (running && !refresh) return running;
    const loading = (async () => {
      for (let attempt = 1; ; attempt++) {
        const heardBefore = this.heard;
        const fetchedAt = Date.now();
        const value = await this.read(request);
        if ((this.lastHeard.get(value.ARN) ?? 0) <= heardBefore || attempt > MAX_REREADS) {
          this.entries.set(key, { request, value, fetchedAt });
          this.checkDescribable(value.ARN);
          return value;
        }
      }
    })().finally(() => {
      if (this.inFlight.get(key) === loading) this.inFlight.delete(key);
      // Only reads in flight look at when a secret's last change was heard.
      if (this.inFlight.size === 0) this.lastHeard.clear();
    });
    this.inFlight.set(key, loading);
    return loading;
  }

  private async read({ secretId, versionStage, versionId }: SecretRequest): Promise<SecretValue> {
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: versionStage, VersionId: versionId }));
    return {
      ARN: out.ARN!,
      Name: out.Name!,
      VersionId: out.VersionId!,
      ...(out.SecretString !== undefined ? { SecretString: out.SecretString } : {}),
      ...(out.SecretBinary !== undefined ? { SecretBinary: out.SecretBinary } : {}),
      VersionStages: out.VersionStages ?? [],
      CreatedDate: out.CreatedDate,
    };
  }

  /** Finds out once per secret whether the feed tells of it (the caller may DescribeSecret it). */
  private checkDescribable(arn: string): void {
    if (this.feed !== 'following' || this.describable.has(arn)) return;
    this.describable.set(arn, 'checking');
    this.client.send(new DescribeSecretCommand({ SecretId: arn })).then(
      () => this.describable.set(arn, true),
      (error: unknown) => {
        // Not known yet: asked again with the next value read.
        if (isTransient(error)) this.describable.delete(arn);
        else this.describable.set(arn, false);
      },
    );
  }

  /** Applies heard changes: a label that moved to a version held is followed, anything else is read again. */
  private hear(changes: SecretChangeEvent[]): void {
    for (const change of changes) {
      this.heard++;
      if (this.inFlight.size > 0) this.lastHeard.set(change.ARN, this.heard);
      for (const [key, entry] of this.entries.ofSecret(change.ARN)) {
        if (GONE.has(change.Type)) {
          this.entries.delete(key);
          continue;
        }
        const stages = change.VersionIdsToStages;
        if (!stages) {
          if (!UNCHANGED_VALUES.has(change.Type)) this.reload(key, entry);
          continue;
        }
        const stage = followedStage(entry.request);
        const holder = stage === undefined ? entry.value.VersionId : Object.keys(stages).find((id) => stages[id]!.includes(stage));
        const known = holder === undefined ? undefined : this.entries.ofSecret(change.ARN).find(([, e]) => e.value.VersionId === holder)?.[1];
        if (known && (entry.request.versionId === undefined || entry.request.versionId === holder)) {
          this.entries.set(key, { ...entry, value: withStages(known.value, stages) });
        } else {
          this.reload(key, entry);
        }
      }
    }
  }

  /** Drops an entry and reads it again in the background, so the next caller finds the new value. */
  private reload(key: string, entry: CacheEntry): void {
    this.entries.delete(key);
    this.load(key, entry.request, true).catch(() => undefined);
  }
}
