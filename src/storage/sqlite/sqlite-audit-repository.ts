import type { Db } from './sqlite-durable.js';
import type { AuditLookupQuery, AuditRepository } from '../repositories.js';
import type { AuditDigestRecord, AuditEntryRecord, AuditLookupKey } from '../records.js';

interface EntryRow {
  sequence: number;
  record: string;
  previous_hash: string;
  hash: string;
  event_id: string;
  event_time: number;
  event_name: string;
  event_source: string;
  read_only: number;
  username: string | null;
  access_key_id: string | null;
  resource_name: string | null;
  resource_type: string | null;
}

const LOOKUP_COLUMNS: Record<AuditLookupKey, string> = {
  EventId: 'event_id',
  EventName: 'event_name',
  ReadOnly: 'read_only',
  Username: 'username',
  ResourceType: 'resource_type',
  ResourceName: 'resource_name',
  EventSource: 'event_source',
  AccessKeyId: 'access_key_id',
};

function toEntry(row: EntryRow): AuditEntryRecord {
  return {
    sequence: row.sequence,
    recordJson: row.record,
    previousHash: row.previous_hash,
    hash: row.hash,
    eventId: row.event_id,
    eventTime: row.event_time,
    eventName: row.event_name,
    eventSource: row.event_source,
    readOnly: row.read_only === 1,
    ...(row.username === null ? {} : { username: row.username }),
    ...(row.access_key_id === null ? {} : { accessKeyId: row.access_key_id }),
    ...(row.resource_name === null ? {} : { resourceName: row.resource_name }),
    ...(row.resource_type === null ? {} : { resourceType: row.resource_type }),
  };
}

export class SqliteAuditRepository implements AuditRepository {
  private readonly stmts;
  private readonly lookups = new Map<string, ReturnType<Db['prepare']>>();

  constructor(private readonly db: Db) {
    this.stmts = {
      head: db.prepare('SELECT sequence, hash FROM audit_entries ORDER BY sequence DESC LIMIT 1'),
      insert: db.prepare(`INSERT INTO audit_entries (sequence, record, previous_hash, hash, event_id, event_time, event_name,
        event_source, read_only, username, access_key_id, resource_name, resource_type) VALUES (@sequence, @recordJson,
        @previousHash, @hash, @eventId, @eventTime, @eventName, @eventSource, @readOnly, @username, @accessKeyId,
        @resourceName, @resourceType)`),
      entries: db.prepare('SELECT * FROM audit_entries WHERE sequence > ? ORDER BY sequence LIMIT ?'),
      addDigest: db.prepare('INSERT INTO audit_digests (sequence, hash, time, signature) VALUES (@sequence, @hash, @time, @signature)'),
      digests: db.prepare('SELECT * FROM audit_digests ORDER BY sequence'),
      lastDigest: db.prepare('SELECT * FROM audit_digests ORDER BY sequence DESC LIMIT 1'),
    };
  }

  async head(): Promise<{ sequence: number; hash: string } | undefined> {
    return this.stmts.head.get() as { sequence: number; hash: string } | undefined;
  }

  async append(entries: AuditEntryRecord[]): Promise<void> {
    for (const e of entries) {
      this.stmts.insert.run({
        ...e,
        readOnly: e.readOnly ? 1 : 0,
        username: e.username ?? null,
        accessKeyId: e.accessKeyId ?? null,
        resourceName: e.resourceName ?? null,
        resourceType: e.resourceType ?? null,
      });
    }
  }

  async entries(afterSequence: number, limit: number): Promise<AuditEntryRecord[]> {
    return (this.stmts.entries.all(afterSequence, limit) as EntryRow[]).map(toEntry);
  }

  async lookup(query: AuditLookupQuery): Promise<AuditEntryRecord[]> {
    const column = query.attribute ? LOOKUP_COLUMNS[query.attribute.key] : undefined;
    // One statement per attribute column, prepared once: each uses that column's index.
    const key = column ?? '';
    let statement = this.lookups.get(key);
    if (!statement) {
      statement = this.db.prepare(`SELECT * FROM audit_entries WHERE ${column ? `${column} = @value AND ` : ''}
        event_time >= @startTime AND event_time <= @endTime AND sequence < @before
        ORDER BY event_time DESC, sequence DESC LIMIT @limit`);
      this.lookups.set(key, statement);
    }
    const value = query.attribute?.key === 'ReadOnly' ? (query.attribute.value === 'true' ? 1 : 0) : query.attribute?.value;
    const rows = statement.all({
      ...(column ? { value } : {}),
      startTime: query.startTime ?? 0,
      endTime: query.endTime ?? Number.MAX_SAFE_INTEGER,
      before: query.beforeSequence ?? Number.MAX_SAFE_INTEGER,
      limit: query.limit,
    });
    return (rows as EntryRow[]).map(toEntry);
  }

  async addDigest(digest: AuditDigestRecord): Promise<void> {
    this.stmts.addDigest.run(digest);
  }

  async lastDigest(): Promise<AuditDigestRecord | undefined> {
    return this.stmts.lastDigest.get() as AuditDigestRecord | undefined;
  }

  async digests(): Promise<AuditDigestRecord[]> {
    return this.stmts.digests.all() as AuditDigestRecord[];
  }
}
