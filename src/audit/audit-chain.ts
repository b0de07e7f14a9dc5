import type { AuditRepository } from '../storage/index.js';

export interface RetainResult {
  /** Index parts dropped (SQLite's lookup buckets). */
  buckets: number;
  /** Archive segment files written. */
  segments: string[];
}

/**
 * Where the audit chain is kept, as its writer (AuditWriter) needs it: SQLite's
 * audit.db (SqliteAuditChain, on the audit thread) or the PostgreSQL store's
 * database (PgAuditChain, shared by every node).
 */
export interface AuditChain {
  /** Reads outside a write. */
  readonly reads: AuditRepository;
  /**
   * Runs `work` in one write transaction that holds the chain's write lock,
   * which every process and node writing the chain takes: the head `work`
   * reads is the head it appends after. `cofferCommits` is coffer.db's newest
   * commit number, marked in the same transaction where there is such a mark.
   */
  write<T>(work: (audit: AuditRepository) => Promise<T>, cofferCommits?: number): Promise<T>;
  /** At open: derived data (SQLite's lookup index) brought up to date with the chain. */
  catchUp?(): void;
  /** Between batches, once the waiting requests have their answer: up to `last`, derived data may be brought up to date. */
  betweenBatches(last: number): void;
  /** Entries older than `before` (epoch ms) are no longer answered by lookups; with an archive directory, they move there. */
  retain(before: number, archiveDir?: string): Promise<RetainResult>;
  close(): Promise<void>;
}
