import type { AuditLookupKey } from '../stored-records.js';
import type { PgMigration } from './pg-migrations.js';

/** The audit_entries column each LookupEvents attribute filters on (each has an index). */
export const AUDIT_LOOKUP_COLUMNS: Readonly<Record<AuditLookupKey, string>> = {
  EventId: 'event_id',
  EventName: 'event_name',
  EventSource: 'event_source',
  ReadOnly: 'read_only',
  Username: 'username',
  AccessKeyId: 'access_key_id',
  ResourceName: 'resource_name',
  ResourceType: 'resource_type',
};

/**
 * The audit chain in the store's database, shared by every node: one chain,
 * serialized by the write lock each append takes (see PgAuditChain). Unlike
 * audit.db, the lookup attributes stay beside the record with an index each:
 * PostgreSQL writes index pages without a sync of its own per page, and
 * lookups read them in one statement.
 */
export const pgAuditMigrations: PgMigration[] = [
  {
    version: 3,
    sql: `
      CREATE TABLE audit_entries (
        sequence BIGINT PRIMARY KEY,
        record TEXT NOT NULL,
        previous_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        event_id TEXT COLLATE "C" NOT NULL,
        event_time BIGINT NOT NULL,
        event_name TEXT COLLATE "C" NOT NULL,
        event_source TEXT COLLATE "C" NOT NULL,
        read_only BOOLEAN NOT NULL,
        username TEXT COLLATE "C",
        access_key_id TEXT COLLATE "C",
        resource_name TEXT COLLATE "C",
        resource_type TEXT COLLATE "C"
      );
      -- LookupEvents filters on one attribute and a time range, newest first.
      CREATE INDEX audit_by_time ON audit_entries (event_time, sequence);
      ${Object.values(AUDIT_LOOKUP_COLUMNS)
        .map((column) => `CREATE INDEX audit_by_${column} ON audit_entries (${column}, event_time, sequence);`)
        .join('\n      ')}

      CREATE TABLE audit_digests (
        sequence BIGINT PRIMARY KEY,
        hash TEXT NOT NULL,
        time TEXT NOT NULL,
        signature TEXT NOT NULL,
        version INTEGER NOT NULL,
        previous_digest_hash TEXT,
        previous_digest_signature TEXT,
        interval_seconds INTEGER
      );

      -- Requests recorded before they act whose outcome is not yet recorded, by the node process (owner) serving them.
      CREATE TABLE audit_pending (request_id TEXT COLLATE "C" PRIMARY KEY, sequence BIGINT NOT NULL, owner TEXT COLLATE "C" NOT NULL);

      -- LookupEvents answers nothing older than retained_from (epoch ms): the retention period.
      CREATE TABLE audit_state (id INTEGER PRIMARY KEY CHECK (id = 1), retained_from BIGINT NOT NULL);
      INSERT INTO audit_state (id, retained_from) VALUES (1, 0);
    `,
  },
];
