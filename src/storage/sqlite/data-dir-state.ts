import type { DataDirMarks } from '../data-dir-marks.js';
import type { Db } from './sqlite-durable.js';

/**
 * Each database of a data directory holds one row saying which deployment it
 * belongs to (a random id made at the first start) and the other database's
 * high-water mark. The tables are made when the data directory is checked,
 * before any migration runs, so that a check never finds rows a migration
 * has just written into an emptied file.
 */
const COFFER_TABLE = `CREATE TABLE IF NOT EXISTS data_dir (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  deployment_id TEXT NOT NULL,
  -- 0 until the first start has made every file of the data directory
  initialized INTEGER NOT NULL,
  -- units of work committed, counted in each one's own commit
  commits INTEGER NOT NULL,
  -- the newest audit sequence known committed at the last unit of work
  audit_sequence INTEGER NOT NULL
)`;

const AUDIT_TABLE = `CREATE TABLE IF NOT EXISTS data_dir (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  deployment_id TEXT NOT NULL,
  -- the newest coffer.db commit known committed when the last batch of records was written
  coffer_commits INTEGER NOT NULL
)`;

export interface CofferDbState {
  deploymentId: string;
  initialized: boolean;
  commits: number;
  auditSequence: number;
}

export interface AuditDbState {
  /** Undefined when audit.db holds no row (made before rows were kept, or not by Coffer). */
  deploymentId?: string;
  cofferCommits: number;
  /** The sequence of the last entry of the chain, 0 when it is empty. */
  head: number;
}

export function hasTable(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

export function readCofferState(db: Db): CofferDbState | undefined {
  db.exec(COFFER_TABLE);
  const row = db.prepare('SELECT deployment_id, initialized, commits, audit_sequence FROM data_dir WHERE id = 1').get() as
    | { deployment_id: string; initialized: number; commits: number; audit_sequence: number }
    | undefined;
  return row && { deploymentId: row.deployment_id, initialized: row.initialized === 1, commits: row.commits, auditSequence: row.audit_sequence };
}

export function writeCofferState(db: Db, state: CofferDbState): void {
  db.exec(COFFER_TABLE);
  db.prepare('INSERT OR REPLACE INTO data_dir (id, deployment_id, initialized, commits, audit_sequence) VALUES (1, ?, ?, ?, ?)').run(
    state.deploymentId,
    state.initialized ? 1 : 0,
    state.commits,
    state.auditSequence,
  );
}

export function readAuditState(db: Db): AuditDbState {
  db.exec(AUDIT_TABLE);
  const row = db.prepare('SELECT deployment_id, coffer_commits FROM data_dir WHERE id = 1').get() as
    | { deployment_id: string; coffer_commits: number }
    | undefined;
  const head = hasTable(db, 'audit_entries') ? ((db.prepare('SELECT max(sequence) FROM audit_entries').pluck().get() as number | null) ?? 0) : 0;
  return { deploymentId: row?.deployment_id, cofferCommits: row?.coffer_commits ?? 0, head };
}

export function writeAuditState(db: Db, deploymentId: string, cofferCommits: number): void {
  db.exec(AUDIT_TABLE);
  db.prepare('INSERT OR REPLACE INTO data_dir (id, deployment_id, coffer_commits) VALUES (1, ?, ?)').run(deploymentId, cofferCommits);
}

/**
 * Numbers coffer.db's units of work: inside each one that changed a row, the
 * count moves by one in the same commit (so it costs no sync of its own) and
 * the newest audit sequence known is noted beside it.
 */
export class CommitCounter {
  private readonly totalChanges;
  private readonly count;

  constructor(
    db: Db,
    private readonly marks: DataDirMarks,
  ) {
    this.totalChanges = db.prepare('SELECT total_changes()').pluck();
    this.count = db.prepare('UPDATE data_dir SET commits = commits + 1, audit_sequence = max(audit_sequence, ?) WHERE id = 1 RETURNING commits').pluck();
  }

  /** Rows changed on the connection so far: read at the start of a unit. */
  changes(): number {
    return this.totalChanges.get() as number;
  }

  /** Before COMMIT: the number this commit gets, or undefined when the unit changed nothing (it stays a read). */
  number(changesAtStart: number): number | undefined {
    if (this.changes() === changesAtStart) return undefined;
    return this.count.get(this.marks.auditSequence) as number | undefined;
  }

  /** After COMMIT: the number is durable. */
  committed(number: number | undefined): void {
    if (number !== undefined && number > this.marks.commits) this.marks.commits = number;
  }
}

/**
 * In audit.db's append transaction: raises the coffer.db commit mark, in the
 * commit (and sync) the batch makes anyway. Undefined for a log that keeps no
 * row (an in-memory one).
 */
export function cofferCommitsRecorder(db: Db): ((commits: number) => void) | undefined {
  if (!hasTable(db, 'data_dir')) return undefined;
  const raise = db.prepare('UPDATE data_dir SET coffer_commits = max(coffer_commits, ?) WHERE id = 1');
  return (commits) => void raise.run(commits);
}

/** The first start made every file: from now on one that is missing is refused. */
export function markInitialized(db: Db): void {
  db.prepare('UPDATE data_dir SET initialized = 1 WHERE id = 1').run();
}
