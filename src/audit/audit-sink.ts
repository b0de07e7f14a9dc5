import type { AuditEntryRecord } from '../storage/index.js';

/** A chained entry as a sink writes it: the record as the canonical JSON its hash covers. */
export type SinkEntry = Pick<AuditEntryRecord, 'sequence' | 'previousHash' | 'hash' | 'recordJson'>;

/**
 * Where chained audit entries go besides the database. A write resolves once
 * the entries are durable there; the audit log waits for every sink (with a
 * timeout) before the requests they record are answered.
 */
export interface AuditSink {
  readonly name: string;
  write(entries: readonly SinkEntry[]): Promise<void>;
  close(): Promise<void>;
}
