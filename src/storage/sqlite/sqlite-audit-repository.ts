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

interface DigestRow {
  sequence: number;
  hash: string;
  time: string;
  signature: string;
  version: 1 | 2;
  previous_digest_hash: string | null;
  previous_digest_signature: string | null;
  interval_seconds: number | null;
}

/** The columns of audit_digests a digest is read from (with toDigest). */
export const DIGEST_COLUMNS = 'sequence, hash, time, signature, version, previous_digest_hash, previous_digest_signature, interval_seconds';

export function toDigest(row: DigestRow): AuditDigestRecord {
  const { sequence, hash, time, signature, version } = row;
  if (version === 1) return { sequence, hash, time, signature, version };
  return {
    sequence,
    hash,
    time,
    signature,
    version,
    previousDigestHash: row.previous_digest_hash,
    previousDigestSignature: row.previous_digest_signature,
    intervalSeconds: row.interval_seconds ?? 0,
  };
}

function prepareDigestStatements(db: Db) {
  return {
    add: db.prepare(`INSERT INTO audit_digests (${DIGEST_COLUMNS})
      VALUES (@sequence, @hash, @time, @signature, @version, @previousDigestHash, @previousDigestSignature, @intervalSeconds)`),
    all: db.prepare(`SELECT ${DIGEST_COLUMNS} FROM audit_digests ORDER BY sequence`),
    last: db.prepare(`SELECT ${DIGEST_COLUMNS} FROM audit_digests ORDER BY sequence DESC LIMIT 1`),
  };
}

type DigestStatements = ReturnType<typeof prepareDigestStatements>;

export class SqliteAuditRepository implements AuditRepository {
  private readonly stmts;
  private lookupIndex?: AuditLookupIndex;
  private digestStmts?: DigestStatements;

  constructor(private readonly db: Db) {
    this.stmts = {
      head: db.prepare('SELECT sequence, hash FROM audit_entries ORDER BY sequence DESC LIMIT 1'),
      // The chain's only index is its rowid (sequence): each insert appends (see audit-lookup-index.ts).
      insert: db.prepare(`INSERT INTO audit_entries (sequence, record, previous_hash, hash, event_id, event_time, event_name,
        event_source, read_only, username, access_key_id, resource_name, resource_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      entry: db.prepare('SELECT * FROM audit_entries WHERE sequence = ?'),
      entries: db.prepare('SELECT * FROM audit_entries WHERE sequence > ? ORDER BY sequence LIMIT ?'),
    };
  }

  /** Prepared when first used: the chain statements alone also serve older schemas (a log being moved or migrated). */
  private get digestStatements(): DigestStatements {
    return (this.digestStmts ??= prepareDigestStatements(this.db));
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
    this.digestStatements.add.run({ previousDigestHash: null, previousDigestSignature: null, intervalSeconds: null, ...digest });
  }

  async lastDigest(): Promise<AuditDigestRecord | undefined> {
    const row = this.digestStatements.last.get() as DigestRow | undefined;
    return row && toDigest(row);
  }

  async digests(): Promise<AuditDigestRecord[]> {
    return (this.digestStatements.all.all() as DigestRow[]).map(toDigest);
  }
}
