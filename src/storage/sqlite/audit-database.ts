import { migrated, openDurable, type Db, type Migration } from './sqlite-durable.js';

/** The audit log's own database file in the data directory, beside coffer.db. */
export const AUDIT_DB_FILE = 'audit.db';

/** An entry's lookup keys: beside the chain in the first schemas, in audit_lookup_pending until indexed since schema 6. */
const LOOKUP_KEY_COLUMNS = `
        event_id TEXT NOT NULL,
        event_time INTEGER NOT NULL,
        event_name TEXT NOT NULL,
        event_source TEXT NOT NULL,
        read_only INTEGER NOT NULL,
        username TEXT,
        access_key_id TEXT,
        resource_name TEXT,
        resource_type TEXT`;

/** The audit log's first schema: coffer.db held it (its migration 4) before audit.db existed. */
export const AUDIT_SCHEMA_V1 = `
      -- The audit hash chain: each row holds its record (canonical JSON), the previous hash and its own.
      CREATE TABLE audit_entries (
        sequence INTEGER PRIMARY KEY,
        record TEXT NOT NULL,
        previous_hash TEXT NOT NULL,
        hash TEXT NOT NULL,${LOOKUP_KEY_COLUMNS}
      );
      -- LookupEvents filters on one attribute and a time range, newest first.
      CREATE INDEX audit_by_time ON audit_entries (event_time, sequence);
      CREATE INDEX audit_by_event_id ON audit_entries (event_id);
      CREATE INDEX audit_by_event_name ON audit_entries (event_name, event_time, sequence);
      CREATE INDEX audit_by_event_source ON audit_entries (event_source, event_time, sequence);
      CREATE INDEX audit_by_username ON audit_entries (username, event_time, sequence);
      CREATE INDEX audit_by_access_key ON audit_entries (access_key_id, event_time, sequence);
      CREATE INDEX audit_by_resource_name ON audit_entries (resource_name, event_time, sequence);
      CREATE INDEX audit_by_resource_type ON audit_entries (resource_type, event_time, sequence);
      CREATE INDEX audit_by_read_only ON audit_entries (read_only, event_time, sequence);

      CREATE TABLE audit_digests (sequence INTEGER PRIMARY KEY, hash TEXT NOT NULL, time TEXT NOT NULL, signature TEXT NOT NULL);
    `;

/**
 * The audit log lives in a file of its own so that a writer thread can hold a
 * connection to it (and sync its commits) while the main connection keeps
 * coffer.db to itself.
 */
export const auditMigrations: Migration[] = [
  {
    version: 1,
    sql: AUDIT_SCHEMA_V1,
  },
  {
    version: 2,
    sql: `
      -- Nine secondary indexes on the chain cost a random page write each per record in the synced commit.
      -- The chain keeps only its sequence order; lookups go through audit_lookup (see audit-lookup-index.ts),
      -- filled after the fact and rebuilt from audit_entries at start from indexed_up_to.
      DROP INDEX audit_by_time;
      DROP INDEX audit_by_event_id;
      DROP INDEX audit_by_event_name;
      DROP INDEX audit_by_event_source;
      DROP INDEX audit_by_username;
      DROP INDEX audit_by_access_key;
      DROP INDEX audit_by_resource_name;
      DROP INDEX audit_by_resource_type;
      DROP INDEX audit_by_read_only;
      -- One row per entry and lookup attribute (0: none, for time-only lookups), clustered by bucket
      -- (sequence >> 12) so that new rows land in a few pages instead of one per value.
      CREATE TABLE audit_lookup (
        attribute INTEGER NOT NULL,
        bucket INTEGER NOT NULL,
        value NOT NULL,
        event_time INTEGER NOT NULL,
        sequence INTEGER NOT NULL,
        PRIMARY KEY (attribute, bucket, value, event_time, sequence)
      ) WITHOUT ROWID;
      -- Each bucket's event time range: event times do not grow strictly with sequence.
      CREATE TABLE audit_lookup_buckets (bucket INTEGER PRIMARY KEY, min_time INTEGER NOT NULL, max_time INTEGER NOT NULL);
      -- Entries up to here are in audit_lookup (written in the same transactions as its rows).
      CREATE TABLE audit_lookup_state (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_up_to INTEGER NOT NULL);
      INSERT INTO audit_lookup_state (id, indexed_up_to) VALUES (1, 0);
    `,
  },
  {
    version: 3,
    sql: `
      -- Digests name the previous digest (version 2); the rows already there are version 1, unchained.
      ALTER TABLE audit_digests ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE audit_digests ADD COLUMN previous_digest_hash TEXT;
      ALTER TABLE audit_digests ADD COLUMN previous_digest_signature TEXT;
      ALTER TABLE audit_digests ADD COLUMN interval_seconds INTEGER;
    `,
  },
  {
    version: 4,
    sql: `
      -- Segments of the chain moved to compressed files (see audit-archive.ts): entries first..last and their digests.
      -- The live log keeps the last entry and digest of the newest segment, where it continues.
      CREATE TABLE audit_archives (
        first_sequence INTEGER PRIMARY KEY,
        last_sequence INTEGER NOT NULL,
        file TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        archived_at TEXT NOT NULL
      );
      -- LookupEvents answers nothing older than this (epoch ms): the retention period.
      ALTER TABLE audit_lookup_state ADD COLUMN retained_from INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 5,
    sql: `
      -- Lookup values by number (see audit-lookup-index.ts): an ARN is stored once, not in a row per entry.
      CREATE TABLE audit_lookup_values (id INTEGER PRIMARY KEY, attribute INTEGER NOT NULL, value NOT NULL, UNIQUE (attribute, value));
      -- The index is derived data: it is made again, coded, from the chain at start.
      DELETE FROM audit_lookup;
      DELETE FROM audit_lookup_buckets;
      UPDATE audit_lookup_state SET indexed_up_to = 0;
    `,
  },
  {
    version: 6,
    sql: `
      -- The chain keeps only what its hashes cover and link: the record (CloudTrail's), its hash and the one before.
      -- What LookupEvents filters on waits in audit_lookup_pending until it is indexed, then leaves (it is in the record).
      CREATE TABLE audit_lookup_pending (
        sequence INTEGER PRIMARY KEY,${LOOKUP_KEY_COLUMNS}
      );
      INSERT INTO audit_lookup_pending SELECT sequence, event_id, event_time, event_name, event_source, read_only, username, access_key_id,
        resource_name, resource_type FROM audit_entries WHERE sequence > (SELECT indexed_up_to FROM audit_lookup_state);
      -- One copy of the table rather than nine DROP COLUMNs (each of which would copy it).
      CREATE TABLE audit_chain (sequence INTEGER PRIMARY KEY, record TEXT NOT NULL, previous_hash TEXT NOT NULL, hash TEXT NOT NULL);
      INSERT INTO audit_chain SELECT sequence, record, previous_hash, hash FROM audit_entries;
      DROP TABLE audit_entries;
      ALTER TABLE audit_chain RENAME TO audit_entries;
    `,
  },
  {
    version: 7,
    sql: `
      -- Requests recorded before they act whose outcome is not yet recorded, by the process (owner) serving them.
      -- Written in the transactions of the two records; what a crash leaves here is settled at the next start.
      CREATE TABLE audit_pending (request_id TEXT PRIMARY KEY, sequence INTEGER NOT NULL, owner TEXT NOT NULL) WITHOUT ROWID;
    `,
  },
  {
    version: 8,
    sql: `
      -- LookupEvents' index in five small rows per entry instead of nine (see audit-lookup-index.ts): derived data, made
      -- again at start from the keys of the entries already indexed, taken back from their records as the main thread takes them.
      INSERT OR IGNORE INTO audit_lookup_pending
        SELECT sequence, json_extract(record, '$.eventID'), CAST(strftime('%s', json_extract(record, '$.eventTime')) AS INTEGER) * 1000,
          json_extract(record, '$.eventName'), json_extract(record, '$.eventSource'), json_extract(record, '$.readOnly'),
          coalesce(nullif(json_extract(record, '$.userIdentity.userName'), ''),
            CASE json_extract(record, '$.userIdentity.type') WHEN 'Root' THEN 'root' END,
            -- The ARN's last path segment: rtrim strips what follows its last '/', replace removes what is left in front.
            replace(json_extract(record, '$.userIdentity.arn'), rtrim(json_extract(record, '$.userIdentity.arn'),
              replace(json_extract(record, '$.userIdentity.arn'), '/', '')), '')),
          nullif(json_extract(record, '$.userIdentity.accessKeyId'), ''),
          json_extract(record, '$.resources[0].ARN'), json_extract(record, '$.resources[0].type')
        FROM audit_entries WHERE sequence <= (SELECT indexed_up_to FROM audit_lookup_state);
      DELETE FROM audit_lookup;
      DELETE FROM audit_lookup_buckets;
      DELETE FROM audit_lookup_values;
      UPDATE audit_lookup_state SET indexed_up_to = 0;
    `,
  },
];

/**
 * Opens (creating if need be) an audit database: WAL, a full sync on every
 * commit, its schema up to date. Never with an exclusive lock, even for a
 * single server: `coffer audit verify` reads it while the server runs (a
 * read-only snapshot in WAL mode, which never blocks the writer), and
 * `coffer audit archive` takes its turn at the write lock. coffer.db's
 * exclusive lock is what keeps a second server off the data directory.
 */
export function openAuditDatabase(path: string): Db {
  return migrated(openDurable(path, { shared: true, pageSize: AUDIT_PAGE_SIZE }), auditMigrations);
}

/**
 * A chain row is a record of about a kilobyte: a 4 KiB page holds three and
 * leaves a fifth of itself empty; a 16 KiB page wastes a fraction of one row.
 * Files made before keep their page size.
 */
const AUDIT_PAGE_SIZE = 16_384;
