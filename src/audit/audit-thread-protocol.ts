import type { AuditDigestRecord, AuditLookupQuery } from '../storage/index.js';

/** What the audit thread opens: its database file (or `:memory:`) and its sinks. */
export interface AuditThreadConfig {
  path: string;
  /** JSON Lines files that receive every entry besides the database. */
  files: string[];
  /** How long a sink may take to confirm a write. */
  sinkTimeoutMs: number;
  /** Other server processes (cluster workers) write to the same file. */
  shared: boolean;
  /** The process serving the requests it records, as audit_pending names it. */
  owner: string;
  /** Where each digest is also written as a file of its own. */
  digestDir?: string;
}

/** A call AuditLog makes of its writer (to the audit thread, a message without the id the client gives it). */
export type AuditCall =
  | { op: 'open'; config: AuditThreadConfig }
  /**
   * Records as JSON (not yet canonical), one a line, in the order they are to be chained: the thread parses each,
   * makes it canonical before chaining it and takes its lookup keys.
   */
  | { op: 'append'; records: string; /** coffer.db's newest commit number, recorded as audit.db's mark of it. */ commits?: number }
  /** Records the outcome of requests other processes (now gone) left pending as unknown; answers how many. */
  | { op: 'settleInterrupted' }
  | { op: 'lookup'; query: AuditLookupQuery }
  | { op: 'entries'; after: number; limit: number }
  /** The chain head and the newest digest (which the next one names). */
  | { op: 'head' }
  | { op: 'addDigest'; digest: AuditDigestRecord }
  /** Entries older than `before` (epoch ms) leave the lookup index and, with an archive directory, the live log. */
  | { op: 'retain'; before: number; archiveDir?: string }
  /** A copy of the audit database at `path`, by SQLite's online backup (appends meanwhile reach the copy too). */
  | { op: 'backup'; path: string }
  | { op: 'close' };

export type AuditRequest = AuditCall & { id: number };

/** The answer to one or more requests (appends written together are answered together). */
export type AuditReply = { ids: number[]; ok: true; value?: unknown } | { ids: number[]; ok: false; error: string };

/** What answers AuditLog's calls: the audit thread (SQLite) or a writer on the main thread (PostgreSQL). */
export interface AuditCalls {
  call<T = void>(request: AuditCall): Promise<T>;
  close(): Promise<void>;
}
