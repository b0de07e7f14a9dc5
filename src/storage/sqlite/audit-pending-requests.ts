import type { Db } from './sqlite-durable.js';

export interface PendingRequest {
  requestId: string;
  /** The chain entry of the request's record. */
  sequence: number;
  owner: string;
}

/**
 * The audit_pending table of audit.db: a request recorded before it acts
 * has a row from its request record's transaction to its outcome record's.
 * Rows of a process that is gone are requests a crash interrupted.
 */
export class AuditPendingRequests {
  private readonly stmts;

  constructor(db: Db) {
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

  /** Pending requests of other owners than `owner`, oldest first. */
  ofOthers(owner: string): PendingRequest[] {
    return this.stmts.others.all(owner) as PendingRequest[];
  }
}
