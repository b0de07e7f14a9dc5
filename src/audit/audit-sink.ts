import type { Entry } from './hash-chain.js';

/**
 * Where chained audit entries go besides the database. A write resolves once
 * the entries are durable there; the audit log waits for every sink (with a
 * timeout) before the requests they record are answered.
 */
export interface AuditSink {
  readonly name: string;
  write(entries: readonly Entry[]): Promise<void>;
  close(): Promise<void>;
}
