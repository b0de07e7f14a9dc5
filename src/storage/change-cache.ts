import type { ChangeFeed } from './change-feed.js';

/**
 * Values derived from stored data, kept in memory until the storage's change feed names one of
 * the change keys an entry was loaded from (`keysOf`). So a cache never serves what the database
 * no longer holds, whichever process or node changed it (once the storage has applied the
 * database's change records: `Storage.syncChanges`), and a write elsewhere drops only what it
 * changed.
 */
export class ChangeCache<V> {
  private readonly entries = new Map<string, V>();
  /** Change key → the cache keys loaded from what it names. */
  private readonly byChange = new Map<string, Set<string>>();

  constructor(
    private readonly feed: ChangeFeed,
    private readonly keysOf: (value: V) => readonly string[],
    private readonly maxEntries = 10_000,
  ) {
    feed.subscribe((keys) => (keys === 'all' ? this.clear() : this.drop(keys)));
  }

  async getOrLoad(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.feed.lookups.hits++;
      return hit;
    }
    this.feed.lookups.misses++;
    const epoch = this.feed.epoch;
    const value = await load();
    // A change applied while loading may concern what was loaded: keep the value only if none was.
    if (value !== undefined && this.feed.epoch === epoch) {
      if (this.entries.size >= this.maxEntries) this.clear();
      this.entries.set(key, value);
      for (const change of this.keysOf(value)) {
        let keys = this.byChange.get(change);
        if (!keys) this.byChange.set(change, (keys = new Set()));
        keys.add(key);
      }
    }
    return value;
  }

  /** Whether an entry is held (for tests and figures). */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  private drop(changes: readonly string[]): void {
    for (const change of changes) {
      const keys = this.byChange.get(change);
      if (!keys) continue;
      this.byChange.delete(change);
      for (const key of keys) this.entries.delete(key);
    }
  }

  clear(): void {
    this.entries.clear();
    this.byChange.clear();
  }
}
