/**
 * High-water marks one process keeps of its two databases, so that each can
 * be written, free, into the other's next synced commit: the number of the
 * last commit of coffer.db (recorded in audit.db with each batch of audit
 * records) and the last audit sequence (recorded in coffer.db with each unit
 * of work). At start, a database behind the mark the other one holds has lost
 * commits that were acknowledged (a lost or damaged WAL).
 */
export interface DataDirMarks {
  /** The newest coffer.db commit number this process saw committed. */
  commits: number;
  /** The newest audit sequence this process saw committed. */
  auditSequence: number;
}
