import { AuditLookupIndex } from './audit-lookup-index.js';
import type { Db } from './sqlite-durable.js';
import type { AuditLookupQuery, AuditRepository } from '../repositories.js';
import type { AuditDigestRecord, AuditEntryRecord } from '../records.js';

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
  private lookupIndex?: AuditLookupIndex;

  constructor(private readonly db: Db) {
    this.stmts = {
      head: db.prepare('SELECT sequence, hash FROM audit_entries ORDER BY sequence DESC LIMIT 1'),
      // The chain's only index is its rowid (sequence): each insert appends (see audit-lookup-index.ts).
      insert: db.prepare(`INSERT INTO audit_entries (sequence, record, previous_hash, hash, event_id, event_time, event_name,
        event_source, read_only, username, access_key_id, resource_name, resource_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      entry: db.prepare('SELECT * FROM audit_entries WHERE sequence = ?'),
      entries: db.prepare('SELECT * FROM audit_entries WHERE sequence > ? ORDER BY sequence LIMIT ?'),
      addDigest: db.prepare('INSERT INTO audit_digests (sequence, hash, time, signature) VALUES (@sequence, @hash, @time, @signature)'),
      digests: db.prepare('SELECT * FROM audit_digests ORDER BY sequence'),
      lastDigest: db.prepare('SELECT * FROM audit_digests ORDER BY sequence DESC LIMIT 1'),
    };
  }

  /** LookupEvents' index, prepared when first used (the chain tables alone also exist in older coffer.db files). */
  get index(): AuditLookupIndex {
    return (this.lookupIndex ??= new AuditLookupIndex(this.db));
  }

  async head(): Promise<{ sequence: number; hash: string } | undefined> {
    return this.stmts.head.get() as { sequence: number; hash: string } | undefined;
  }

  async append(entries: AuditEntryRecord[]): Promise<void> {
    for (const e of entries) {
      this.stmts.insert.run(e.sequence, e.recordJson, e.previousHash, e.hash, e.eventId, e.eventTime, e.eventName, e.eventSource,
        e.readOnly ? 1 : 0, e.username ?? null, e.accessKeyId ?? null, e.resourceName ?? null, e.resourceType ?? null);
    }
  }

  async entries(afterSequence: number, limit: number): Promise<AuditEntryRecord[]> {
    return (this.stmts.entries.all(afterSequence, limit) as EntryRow[]).map(toEntry);
  }

  async lookup(query: AuditLookupQuery): Promise<AuditEntryRecord[]> {
    return this.index.lookup(query).map((sequence) => toEntry(this.stmts.entry.get(sequence) as EntryRow));
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
