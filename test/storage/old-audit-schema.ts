import type { AuditEntryRecord } from '../../src/storage/index.js';
import type { Db } from '../../src/storage/sqlite/sqlite-durable.js';

/**
 * Appends entries as versions before audit.db's schema 6 stored them: the
 * lookup keys in columns of audit_entries beside the chain (audit.db schemas
 * 1 to 5, and coffer.db before the log moved out).
 */
export function insertOldEntries(db: Db, entries: readonly AuditEntryRecord[]): void {
  const insert = db.prepare(`INSERT INTO audit_entries (sequence, record, previous_hash, hash, event_id, event_time, event_name, event_source,
    read_only, username, access_key_id, resource_name, resource_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  for (const e of entries) {
    insert.run(e.sequence, e.recordJson, e.previousHash, e.hash, e.eventId, e.eventTime, e.eventName, e.eventSource, e.readOnly ? 1 : 0,
      e.username ?? null, e.accessKeyId ?? null, e.resourceName ?? null, e.resourceType ?? null);
  }
}
