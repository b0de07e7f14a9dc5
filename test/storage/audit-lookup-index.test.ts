// The audit log's lookup index: lookups answer the same whether entries are
// indexed, not yet indexed (the tail a lookup scans) or both, across buckets
// whose times overlap; an older audit.db is migrated and indexed at start.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lookupKeysOf, type LookupKeys } from '../../src/audit/lookup-keys.js';
import { storedEntry } from '../../src/audit/stored-entry.js';
import { buildRecord, formatEventTime, type AuditRecord, type UserIdentity } from '../../src/audit/cloudtrail-record.js';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import type { AuditEntryRecord, AuditLookupKey, AuditLookupQuery } from '../../src/storage/index.js';
import { auditMigrations, openAuditDatabase } from '../../src/storage/sqlite/audit-database.js';
import { BUCKET_SHIFT } from '../../src/storage/sqlite/audit-lookup-index.js';
import { migrate, openDurable, type Db } from '../../src/storage/sqlite/sqlite-durable.js';
import { SqliteAuditRepository } from '../../src/storage/sqlite/sqlite-audit-repository.js';
import { insertOldEntries } from './old-audit-schema.js';

const BUCKET = 2 ** BUCKET_SHIFT;
const COUNT = 3 * BUCKET + 500;
const T0 = Date.UTC(2025, 4, 20, 12, 0, 0);
const HASH = '0'.repeat(64);

/** An event ID: a UUID for even entries, where every thousandth shares its last 6 bytes with others (only the record tells them apart). */
const eventIdOf = (n: number) => (n % 2 ? `event-${n}` : `0193a1b2-${(n >> 16).toString(16).padStart(4, '0')}-7e5f-8a9b-${(n % 1000).toString(16).padStart(12, '0')}`);

/** Entry `n`: a few values per attribute, some absent; times mostly rising, every seventh up to 20 s early (a long request). */
function entryOf(n: number): AuditEntryRecord {
  const time = T0 + Math.floor(n / 3) * 1000 - (n % 7 === 0 ? (n % 20) * 1000 : 0);
  const keys: LookupKeys = [
    n % 1000 === 0 ? eventIdOf(n).replace('0193a1b2', (n >> 8).toString(16).padStart(8, '0')) : eventIdOf(n),
    time,
    ['GetSecretValue', 'Decrypt', 'PutSecretValue', 'CreateKey', 'DeleteSecret'][n % 5]!,
    ['secretsmanager.amazonaws.com', 'kms.amazonaws.com', 'sts.amazonaws.com'][n % 3]!,
    n % 4 !== 0,
    n % 11 === 0 ? null : `user-${n % 4}`,
    n % 13 === 0 ? null : `AKIA${n % 3}`,
    n % 9 === 0 ? null : `arn:aws:secretsmanager:us-east-1:111122223333:secret:s-${n % 50}`,
    n % 9 === 0 ? null : 'AWS::SecretsManager::Secret',
  ];
  return storedEntry({ sequence: n, previousHash: HASH, hash: HASH }, JSON.stringify(recordOf(keys, n)), keys);
}

/** A record (the parts that lookups read) from which the main thread takes exactly these keys: a user's or a role session's. */
function recordOf([eventID, time, eventName, eventSource, readOnly, username, accessKeyId, resourceName, resourceType]: LookupKeys, n: number): AuditRecord {
  const account = '111122223333';
  const key = accessKeyId === null ? {} : { accessKeyId };
  const userIdentity: UserIdentity =
    username === null
      ? { type: 'Unknown', accountId: account, ...key }
      : n % 2
        ? { type: 'IAMUser', accountId: account, userName: username, arn: `arn:aws:iam::${account}:user/team/${username}`, ...key }
        : { type: 'AssumedRole', accountId: account, arn: `arn:aws:sts::${account}:assumed-role/reader/${username}`, ...key };
  return {
    ...buildRecord({ eventSource, eventName, awsRegion: 'us-east-1', sourceIPAddress: '127.0.0.1', userAgent: '', userIdentity, requestID: `r-${n}`, readOnly, eventID }),
    eventTime: formatEventTime(new Date(time)),
    ...(resourceName === null ? {} : { resources: [{ ARN: resourceName, accountId: account, type: resourceType! }] }),
  };
}

const entries = Array.from({ length: COUNT }, (_, i) => entryOf(i + 1));

const FIELDS: Record<AuditLookupKey, (e: AuditEntryRecord) => string | undefined> = {
  EventId: (e) => e.eventId,
  EventName: (e) => e.eventName,
  EventSource: (e) => e.eventSource,
  ReadOnly: (e) => String(e.readOnly),
  Username: (e) => e.username,
  AccessKeyId: (e) => e.accessKeyId,
  ResourceName: (e) => e.resourceName,
  ResourceType: (e) => e.resourceType,
};

/** What a lookup must answer, computed from the entries themselves. */
function expected(query: AuditLookupQuery): number[] {
  return entries
    .filter((e) => !query.attribute || FIELDS[query.attribute.key](e) === query.attribute.value)
    .filter((e) => e.eventTime >= (query.startTime ?? -Infinity) && e.eventTime <= (query.endTime ?? Infinity))
    .filter((e) => e.sequence < (query.beforeSequence ?? Infinity))
    .sort((a, b) => b.eventTime - a.eventTime || b.sequence - a.sequence)
    .slice(0, query.limit)
    .map((e) => e.sequence);
}

const queries: AuditLookupQuery[] = [
  { limit: 50 },
  { limit: 1001 },
  { limit: 20, beforeSequence: 2 * BUCKET + 3 },
  { limit: 30, startTime: T0 + 1000 * 1000, endTime: T0 + 1500 * 1000 },
  { limit: 10, startTime: T0 + 2000 * 1000, endTime: T0 + 2000 * 1000, beforeSequence: 6003 },
  ...(['EventName', 'EventSource', 'Username', 'AccessKeyId', 'ResourceType'] as const).flatMap((key) => [
    { limit: 40, attribute: { key, value: FIELDS[key](entryOf(30))! } },
    { limit: 5, attribute: { key, value: FIELDS[key](entryOf(31))! }, endTime: T0 + 3000 * 1000, beforeSequence: BUCKET + 17 },
  ]),
  { limit: 50, attribute: { key: 'EventId', value: 'event-4097' } },
  // Shares its last 6 bytes with entries 1000, 2000, 4000, …: only entry 3000 is answered.
  { limit: 50, attribute: { key: 'EventId', value: entryOf(3000).eventId } },
  { limit: 50, attribute: { key: 'EventId', value: eventIdOf(3000) } },
  { limit: 50, attribute: { key: 'EventId', value: 'event-none' } },
  { limit: 50, attribute: { key: 'ReadOnly', value: 'false' } },
  { limit: 600, attribute: { key: 'ReadOnly', value: 'true' }, startTime: T0 + 500 * 1000 },
  // A rare value, far back: every bucket is probed.
  { limit: 50, attribute: { key: 'ResourceName', value: FIELDS.ResourceName(entryOf(7))! } },
  { limit: 50, attribute: { key: 'Username', value: 'nobody' } },
];

async function assertLookups(audit: SqliteAuditRepository, state: string): Promise<void> {
  for (const query of queries) {
    const found = (await audit.lookup(query)).map((e) => e.sequence);
    assert.deepEqual(found, expected(query), `${state}: ${JSON.stringify(query)}`);
  }
}

/** The keys of entries not yet indexed, as a batch's commit leaves them. */
function addPendingKeys(db: Db, pending: AuditEntryRecord[]): void {
  const keys = db.prepare(`INSERT INTO audit_lookup_pending (sequence, event_id, event_time, event_name, event_source, read_only, username,
    access_key_id, resource_name, resource_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  for (const e of pending) {
    keys.run(e.sequence, e.eventId, e.eventTime, e.eventName, e.eventSource, e.readOnly ? 1 : 0, e.username ?? null, e.accessKeyId ?? null,
      e.resourceName ?? null, e.resourceType ?? null);
  }
}

/** The audit database at `path` once a writer has opened it (migrating it) and brought its index up to date, as at start. */
async function caughtUp(path: string): Promise<Db> {
  const writer = AuditWriter.onSqlite(openAuditDatabase(path), []);
  writer.catchUp();
  await writer.close();
  return openAuditDatabase(path);
}

const dir = mkdtempSync(join(tmpdir(), 'coffer-audit-lookup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('audit lookup index', () => {
  test('the test records give the keys they were made from', () => {
    for (const entry of entries.slice(0, 400)) {
      assert.deepEqual(storedEntry(entry, entry.recordJson, lookupKeysOf(JSON.parse(entry.recordJson) as AuditRecord)), entry);
    }
  });

  test('answers the same with nothing, part or all of the log indexed', async () => {
    const db = openAuditDatabase(':memory:');
    const audit = new SqliteAuditRepository(db);
    await audit.append(entries);
    try {
      await assertLookups(audit, 'nothing indexed');
      assert.deepEqual(audit.index.indexNext(BUCKET + 100), { indexedUpTo: BUCKET + 100, last: COUNT });
      assert.deepEqual(audit.index.indexNext(BUCKET), { indexedUpTo: 2 * BUCKET + 100, last: COUNT });
      await assertLookups(audit, 'part indexed');
      assert.deepEqual(audit.index.indexNext(COUNT), { indexedUpTo: COUNT, last: COUNT });
      assert.deepEqual(audit.index.indexNext(COUNT), { indexedUpTo: COUNT, last: COUNT });
      await assertLookups(audit, 'all indexed');
    } finally {
      db.close();
    }
  });

  test('past the retention period nothing older is answered and whole buckets older than it leave the index', async () => {
    const db = openAuditDatabase(':memory:');
    const audit = new SqliteAuditRepository(db);
    await audit.append(entries);
    audit.index.indexNext(COUNT);
    try {
      // The cutoff falls inside the second bucket: the first goes whole, the second stays but answers only what is newer.
      const cutoff = entryOf(BUCKET + 2000).eventTime;
      const dropped = db.transaction(() => audit.index.retain(cutoff))();
      assert.equal(dropped, 1);
      const rows = db.prepare('SELECT min(bucket) FROM audit_lookup').pluck().get();
      assert.equal(rows, 1, 'the rows of bucket 0 are gone');
      const retained = (query: AuditLookupQuery) => expected({ ...query, startTime: Math.max(query.startTime ?? -Infinity, cutoff) });
      for (const query of queries) {
        const found = (await audit.lookup(query)).map((e) => e.sequence);
        assert.deepEqual(found, retained(query), JSON.stringify(query));
      }
    } finally {
      db.close();
    }
  });

  test('an index step a crash lost is indexed again at start, and nothing is doubled', async () => {
    const path = join(dir, 'lost-step.db');
    const db = openAuditDatabase(path);
    const audit = new SqliteAuditRepository(db);
    await audit.append(entries);
    audit.index.indexNext(COUNT);
    const rows = db.prepare('SELECT count(*) FROM audit_lookup').pluck().get();
    // As if the last step had not been committed: its rows, its state and the keys it took go together.
    db.exec(`DELETE FROM audit_lookup WHERE sequence > 5000; UPDATE audit_lookup_state SET indexed_up_to = 5000`);
    addPendingKeys(db, entries.filter((entry) => entry.sequence > 5000));
    db.close();

    const reopened = await caughtUp(path);
    try {
      assert.equal(reopened.prepare('SELECT count(*) FROM audit_lookup').pluck().get(), rows);
      assert.equal(reopened.prepare('SELECT indexed_up_to FROM audit_lookup_state').pluck().get(), COUNT);
      await assertLookups(new SqliteAuditRepository(reopened), 'indexed again');
    } finally {
      reopened.close();
    }
  });

  test('an audit.db of the first schema (nine indexes on the chain) is migrated and indexed at start', async () => {
    const path = join(dir, 'version-1.db');
    const old = openDurable(path);
    migrate(old, auditMigrations.filter((m) => m.version === 1));
    insertOldEntries(old, entries);
    old.close();

    const db = await caughtUp(path);
    try {
      assert.deepEqual(db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'audit_by_%'").all(), []);
      assert.equal(db.prepare('SELECT count(*) FROM audit_entries').pluck().get(), COUNT);
      assert.equal(db.prepare('SELECT indexed_up_to FROM audit_lookup_state').pluck().get(), COUNT);
      await assertLookups(new SqliteAuditRepository(db), 'migrated');
    } finally {
      db.close();
    }
  });

  test('an index of the nine-row form is made again from the records of the entries it held', async () => {
    const path = join(dir, 'version-7.db');
    const old = openDurable(path);
    migrate(old, auditMigrations.filter((m) => m.version <= 7));
    const chain = old.prepare('INSERT INTO audit_entries (sequence, record, previous_hash, hash) VALUES (?, ?, ?, ?)');
    for (const e of entries) chain.run(e.sequence, e.recordJson, e.previousHash, e.hash);
    // What that form's steps left: rows of their own, their state, and no keys of the entries they took.
    old.exec(`INSERT INTO audit_lookup VALUES (0, 0, '', ${T0}, 1), (9, 0, 'x', ${T0}, 2);
      INSERT INTO audit_lookup_values (attribute, value) VALUES (2, 'GetSecretValue');
      UPDATE audit_lookup_state SET indexed_up_to = ${COUNT - 300}`);
    addPendingKeys(old, entries.slice(COUNT - 300));
    old.close();

    const db = await caughtUp(path);
    try {
      assert.equal(db.prepare('SELECT indexed_up_to FROM audit_lookup_state').pluck().get(), COUNT);
      assert.equal(db.prepare('SELECT count(*) FROM audit_lookup_pending').pluck().get(), 0);
      assert.equal(db.prepare('SELECT count(*) FROM audit_lookup WHERE attribute NOT IN (0, 1, 2, 5, 7)').pluck().get(), 0);
      await assertLookups(new SqliteAuditRepository(db), 'made again');
    } finally {
      db.close();
    }
  });
});
