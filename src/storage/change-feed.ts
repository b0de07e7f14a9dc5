/**
 * What a storage learns of changes to cacheable stored data, as change keys (`secret:42`,
 * `kms-key:<id>`, `access-key:<id>`, `iam:<entity or policy id>`, `iam-new:<account>`; see
 * change-keys.ts): its own units' at once, other processes' and nodes' from the database's change
 * records. Caches subscribe and drop the entries a key names; nothing else is emptied.
 */
export class ChangeFeed {
  private readonly listeners = new Set<(keys: readonly string[] | 'all') => void>();
  private moves = 0;
  /** How the caches fed by this feed were looked up since start (for metrics). */
  readonly lookups = { hits: 0, misses: 0 };

  /** Moves whenever entries may have been dropped: a load that saw it move may hold stale data. */
  get epoch(): number {
    return this.moves;
  }

  subscribe(listener: (keys: readonly string[] | 'all') => void): void {
    this.listeners.add(listener);
  }

  apply(keys: readonly string[]): void {
    if (keys.length === 0) return;
    this.moves++;
    for (const listener of this.listeners) listener(keys);
  }

  /** Changes were missed (records pruned before they were read): every cache starts over. */
  dropAll(): void {
    this.moves++;
    for (const listener of this.listeners) listener('all');
  }
}
