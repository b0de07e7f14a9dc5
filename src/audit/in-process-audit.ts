import type { AuditCall, AuditCalls } from './audit-thread-protocol.js';
import { callWriter, type AuditWriter } from './audit-writer.js';

/**
 * A writer on this thread, for a store whose I/O does not block it
 * (PostgreSQL): AuditLog already hands it one batch at a time, so each
 * batch is one transaction, as on the audit thread.
 */
export class InProcessAudit implements AuditCalls {
  private closed = false;

  constructor(private readonly writer: AuditWriter) {}

  call<T = void>(request: AuditCall): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the audit log is closed'));
    if (request.op === 'close') return this.close() as Promise<T>;
    if (request.op === 'open') return Promise.reject(new Error('an in-process audit writer is opened by its maker'));
    if (request.op === 'backup') return Promise.reject(new Error("the audit log is in the store's database: back it up with the database"));
    return callWriter(this.writer, request) as Promise<T>;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writer.close();
  }
}
