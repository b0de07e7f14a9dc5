import type { AuditLookupQuery, AuditRepository, PendingAuditRequest } from '../repositories.js';
import type { AuditChainRecord, AuditDigestRecord, AuditEntryRecord } from '../stored-records.js';
import { AUDIT_LOOKUP_COLUMNS } from './pg-audit-migrations.js';
import { CHAIN_COLUMNS, DIGEST_COLUMNS, toDigest, type DigestRow } from '../rows/audit-rows.js';
import { sql, type Queryable, type Statement } from './pg-statement.js';

/** Newest first, as LookupEvents answers; nothing older than the retention period. */
function lookupStatement(column: string | undefined): Statement {
  return sql(`SELECT ${CHAIN_COLUMNS} FROM audit_entries
    WHERE event_time >= greatest(@startTime::bigint, (SELECT retained_from FROM audit_state)) AND event_time <= @endTime AND sequence < @before
    ${column ? `AND ${column} = @value` : ''} ORDER BY event_time DESC, sequence DESC LIMIT @limit`);
}

const LOOKUPS = new Map<string | undefined, Statement>([undefined, ...Object.values(AUDIT_LOOKUP_COLUMNS)].map((column) => [column, lookupStatement(column)]));

/** The chain's last entry. */
export const HEAD_SQL = 'SELECT sequence, hash FROM audit_entries ORDER BY sequence DESC LIMIT 1';

// A batch in one statement: one round trip whatever its size.
const APPEND_SQL = `INSERT INTO audit_entries (sequence, record, previous_hash, hash, event_id, event_time, event_name, event_source, read_only,
    username, access_key_id, resource_name, resource_type)
    SELECT * FROM unnest(@sequence::bigint[], @recordJson::text[], @previousHash::text[], @hash::text[], @eventId::text[], @eventTime::bigint[],
    @eventName::text[], @eventSource::text[], @readOnly::boolean[], @username::text[], @accessKeyId::text[], @resourceName::text[], @resourceType::text[])`;
const ADD_PENDING_SQL = `INSERT INTO audit_pending (request_id, sequence, owner) SELECT request_id, sequence, @owner
    FROM unnest(@requestIds::text[], @sequences::bigint[]) AS p (request_id, sequence)
    ON CONFLICT (request_id) DO UPDATE SET sequence = excluded.sequence, owner = excluded.owner`;
const SETTLE_SQL = 'DELETE FROM audit_pending WHERE request_id = ANY(@settled::text[])';

const STATEMENTS = {
  head: sql(HEAD_SQL),
  append: sql(APPEND_SQL),
  // A write batch's entries and its requests, pending and settled, in one statement. Its parts
  // share one snapshot (none sees another's rows), so no request may be both pending and settled.
  appendWithPending: sql(`WITH appended AS (${APPEND_SQL}), pending AS (${ADD_PENDING_SQL}) ${SETTLE_SQL}`),
  entries: sql(`SELECT ${CHAIN_COLUMNS} FROM audit_entries WHERE sequence > ? ORDER BY sequence LIMIT ?`),
  addDigest: sql(`INSERT INTO audit_digests (${DIGEST_COLUMNS})
    VALUES (@sequence, @hash, @time, @signature, @version, @previousDigestHash, @previousDigestSignature, @intervalSeconds)`),
  digests: sql(`SELECT ${DIGEST_COLUMNS} FROM audit_digests ORDER BY sequence`),
  lastDigest: sql(`SELECT ${DIGEST_COLUMNS} FROM audit_digests ORDER BY sequence DESC LIMIT 1`),
  addPending: sql(ADD_PENDING_SQL),
  settlePending: sql(SETTLE_SQL),
  // An owner's session holds its advisory lock while it runs (PgAuditChain): the lock can be had only once it is gone.
  interrupted: sql(`SELECT request_id AS "requestId", sequence, owner FROM audit_pending
    WHERE owner <> ? AND pg_try_advisory_xact_lock(hashtextextended('coffer-audit-owner:' || owner, 0)) ORDER BY sequence LIMIT ?`),
  retain: sql('UPDATE audit_state SET retained_from = greatest(retained_from, ?)'),
};

/** The audit chain, its digests and pending requests in PostgreSQL (tables of pg-audit-migrations.ts). */
export class PgAuditRepository implements AuditRepository {
  constructor(private readonly db: Queryable) {}

  async head(): Promise<{ sequence: number; hash: string } | undefined> {
    return STATEMENTS.head.get<{ sequence: number; hash: string }>(this.db);
  }

  async append(entries: AuditEntryRecord[]): Promise<void> {
    if (entries.length) await STATEMENTS.append.run(this.db, entryColumns(entries));
  }

  /** append, addPending and settlePending in one statement; `requests` and `settled` must not share a request. */
  async appendWithPending(entries: AuditEntryRecord[], requests: readonly PendingRequest[], owner: string, settled: readonly string[]): Promise<void> {
    await STATEMENTS.appendWithPending.run(this.db, { ...entryColumns(entries), ...pendingColumns(requests, owner), settled });
  }

  async entries(afterSequence: number, limit: number): Promise<AuditChainRecord[]> {
    return STATEMENTS.entries.all<AuditChainRecord>(this.db, [afterSequence, limit]);
  }

  async lookup(query: AuditLookupQuery): Promise<AuditChainRecord[]> {
    const column = query.attribute ? AUDIT_LOOKUP_COLUMNS[query.attribute.key] : undefined;
    const value = query.attribute?.key === 'ReadOnly' ? query.attribute.value === 'true' : query.attribute?.value;
    return LOOKUPS.get(column)!.all<AuditChainRecord>(this.db, {
      startTime: query.startTime ?? Number.MIN_SAFE_INTEGER,
      endTime: query.endTime ?? Number.MAX_SAFE_INTEGER,
      before: query.beforeSequence ?? Number.MAX_SAFE_INTEGER,
      limit: query.limit,
      ...(column ? { value } : {}),
    });
  }

  async addDigest(digest: AuditDigestRecord): Promise<void> {
    await STATEMENTS.addDigest.run(this.db, { previousDigestHash: null, previousDigestSignature: null, intervalSeconds: null, ...digest });
  }

  async digests(): Promise<AuditDigestRecord[]> {
    return (await STATEMENTS.digests.all<DigestRow>(this.db)).map(toDigest);
  }

  async lastDigest(): Promise<AuditDigestRecord | undefined> {
    const row = await STATEMENTS.lastDigest.get<DigestRow>(this.db);
    return row && toDigest(row);
  }

  async addPending(requests: readonly PendingRequest[], owner: string): Promise<void> {
    if (requests.length) await STATEMENTS.addPending.run(this.db, pendingColumns(requests, owner));
  }

  async settlePending(requestIds: readonly string[]): Promise<void> {
    if (requestIds.length) await STATEMENTS.settlePending.run(this.db, { settled: requestIds });
  }

  async interrupted(owner: string, limit: number): Promise<PendingAuditRequest[]> {
    return STATEMENTS.interrupted.all<PendingAuditRequest>(this.db, [owner, limit]);
  }

  /** LookupEvents answers nothing older than `before` (epoch ms) from now on. */
  async retainFrom(before: number): Promise<void> {
    await STATEMENTS.retain.run(this.db, [before]);
  }
}

type PendingRequest = { requestId: string; sequence: number };

const ENTRY_FIELDS = ['sequence', 'recordJson', 'previousHash', 'hash', 'eventId', 'eventTime', 'eventName', 'eventSource', 'readOnly', 'username', 'accessKeyId', 'resourceName', 'resourceType'] as const;

/** The entries as one array per column, named as APPEND_SQL's parameters. */
function entryColumns(entries: readonly AuditEntryRecord[]): Record<string, unknown[]> {
  return Object.fromEntries(ENTRY_FIELDS.map((field) => [field, entries.map((e) => e[field] ?? null)]));
}

function pendingColumns(requests: readonly PendingRequest[], owner: string): Record<string, unknown> {
  return { requestIds: requests.map((r) => r.requestId), sequences: requests.map((r) => r.sequence), owner };
}
