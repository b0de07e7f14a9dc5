import type { PendingAuditRequest } from '../repositories.js';
import type { Db } from './sqlite-durable.js';

/**
 * The audit_pending table of audit.db: a request recorded before it acts
 * has a row from its request record's transaction to its outcome record's.
 * Rows of a process that is gone are requests a crash interrupted.
 */
export class AuditPendingRequests {
  private readonly stmts;

  constructor(
    db: Db,
    /** Other processes (cluster workers on this machine) share the file: their rows are theirs while they run. */
    private readonly shared = false,
  ) {
    this.stmts = {
      add: db.prepare('INSERT OR REPLACE INTO audit_pending (request_id, sequence, owner) VALUES (?, ?, ?)'),
      settle: db.prepare('DELETE FROM audit_pending WHERE request_id = ?'),
      others: db.prepare('SELECT request_id AS requestId, sequence, owner FROM audit_pending WHERE owner <> ? ORDER BY sequence'),
    };
  }

  add(requestId: string, sequence: number, owner: string): void {
    this.stmts.add.run(requestId, sequence, owner);
  }

  settle(requestId: string): void {
    this.stmts.settle.run(requestId);
  }

  /** Pending requests of other owners than `owner` whose process is gone, oldest first. */
  interrupted(owner: string, limit: number): PendingAuditRequest[] {
    const others = this.stmts.others.all(owner) as PendingAuditRequest[];
    return others.filter((p) => !this.shared || !isRunning(p.owner)).slice(0, limit);
  }
}

/** Whether the process of an audit_pending owner (`<pid>:<nonce>`) still runs (a reused pid counts as running: it stays pending). */
function isRunning(owner: string): boolean {
  try {
    process.kill(Number(owner.split(':')[0]), 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
