/**
 * Values derived from stored data, kept in memory while the storage's change
 * epoch (`Storage.changeEpoch`) stays the same: any write here, or where the
 * storage is shared, anywhere, empties the cache before its next use. So a
 * cache never serves what the database no longer holds, whichever process or
 * node changed it.
 */
export class EpochCache<V> {
  private readonly entries = new Map<string, V>();
  private epoch = Number.NaN;

  constructor(
    private readonly currentEpoch: () => number,
    private readonly maxEntries = 10_000,
  ) {}

  async getOrLoad(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const epoch = this.currentEpoch();
    if (epoch !== this.epoch) {
      this.entries.clear();
      this.epoch = epoch;
    }
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const value = await load();
    // A value loaded while the data changed may already be stale: keep it only if nothing moved.
    if (value !== undefined && this.currentEpoch() === epoch) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, value);
    }
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
