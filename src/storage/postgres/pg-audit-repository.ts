import type { AuditLookupQuery, AuditRepository, PendingAuditRequest } from '../repositories.js';
import type { AuditChainRecord, AuditDigestRecord, AuditEntryRecord } from '../records.js';
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

const STATEMENTS = {
  head: sql('SELECT sequence, hash FROM audit_entries ORDER BY sequence DESC LIMIT 1'),
  // A batch in one statement: one round trip whatever its size.
  append: sql(`INSERT INTO audit_entries (sequence, record, previous_hash, hash, event_id, event_time, event_name, event_source, read_only,
    username, access_key_id, resource_name, resource_type)
    SELECT * FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::boolean[],
    ?::text[], ?::text[], ?::text[], ?::text[])`),
  entries: sql(`SELECT ${CHAIN_COLUMNS} FROM audit_entries WHERE sequence > ? ORDER BY sequence LIMIT ?`),
  addDigest: sql(`INSERT INTO audit_digests (${DIGEST_COLUMNS})
    VALUES (@sequence, @hash, @time, @signature, @version, @previousDigestHash, @previousDigestSignature, @intervalSeconds)`),
  digests: sql(`SELECT ${DIGEST_COLUMNS} FROM audit_digests ORDER BY sequence`),
  lastDigest: sql(`SELECT ${DIGEST_COLUMNS} FROM audit_digests ORDER BY sequence DESC LIMIT 1`),
  addPending: sql(`INSERT INTO audit_pending (request_id, sequence, owner) SELECT request_id, sequence, @owner
    FROM unnest(@requestIds::text[], @sequences::bigint[]) AS p (request_id, sequence)
    ON CONFLICT (request_id) DO UPDATE SET sequence = excluded.sequence, owner = excluded.owner`),
  settlePending: sql('DELETE FROM audit_pending WHERE request_id = ANY(?::text[])'),
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
    if (!entries.length) return;
    const column = <K extends keyof AuditEntryRecord>(key: K) => entries.map((e) => e[key] ?? null);
    await STATEMENTS.append.run(this.db, [
      column('sequence'),
      column('recordJson'),
      column('previousHash'),
      column('hash'),
      column('eventId'),
      column('eventTime'),
      column('eventName'),
      column('eventSource'),
      column('readOnly'),
      column('username'),
      column('accessKeyId'),
      column('resourceName'),
      column('resourceType'),
    ]);
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

  async addPending(requests: readonly { requestId: string; sequence: number }[], owner: string): Promise<void> {
    if (!requests.length) return;
    await STATEMENTS.addPending.run(this.db, { requestIds: requests.map((r) => r.requestId), sequences: requests.map((r) => r.sequence), owner });
  }

  async settlePending(requestIds: readonly string[]): Promise<void> {
    if (requestIds.length) await STATEMENTS.settlePending.run(this.db, [requestIds]);
  }

  async interrupted(owner: string, limit: number): Promise<PendingAuditRequest[]> {
    return STATEMENTS.interrupted.all<PendingAuditRequest>(this.db, [owner, limit]);
  }

  /** LookupEvents answers nothing older than `before` (epoch ms) from now on. */
  async retainFrom(before: number): Promise<void> {
    await STATEMENTS.retain.run(this.db, [before]);
  }
}
