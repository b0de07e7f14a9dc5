import type { Db } from './sqlite-database.js';

/**
 * Results of hot reads (GetSecretValue's), kept in memory until the database
 * changes: the storage clears it after every write of this process, and
 * `PRAGMA data_version` tells when another process sharing the file (a cluster
 * worker) has committed. It holds what the database holds — ciphertexts and
 * wrapped keys, never a plaintext.
 */
export class ReadCache<V extends object> {
  private readonly entries = new Map<string, V>();
  private readonly dataVersion;
  private seenVersion: unknown;

  constructor(
    db: Db,
    private readonly shared: boolean,
    private readonly maxEntries = 10_000,
  ) {
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
  }

  get(key: string): V | undefined {
    if (this.shared) {
      const version = this.dataVersion.get();
      if (version !== this.seenVersion) {
        this.entries.clear();
        this.seenVersion = version;
      }
    }
    return this.entries.get(key);
  }

  set(key: string, value: V): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, value);
  }

  clear(): void {
    this.entries.clear();
  }
}
