import { AuditLookupIndex } from './audit-lookup-index.js';
import { AuditPendingRequests } from './audit-pending-requests.js';
import type { Db } from './sqlite-durable.js';
import type { AuditLookupQuery, AuditRepository, PendingAuditRequest } from '../repositories.js';
import type { AuditChainRecord, AuditDigestRecord, AuditEntryRecord } from '../stored-records.js';
import { CHAIN_COLUMNS, DIGEST_COLUMNS, toDigest, type DigestRow } from '../rows/audit-rows.js';

export { DIGEST_COLUMNS, toDigest } from '../rows/audit-rows.js';

/** A segment of the chain moved to a compressed file: entries first..last with their digests. */
export interface ArchiveSegmentRecord {
  first: number;
  last: number;
  /** The file's name in the archive directory. */
  file: string;
  /** SHA-256 (hex) of the file as written. */
  sha256: string;
  archivedAt: string;
}

/** The columns of audit_archives a segment is read from, named as ArchiveSegmentRecord's fields. */
export const ARCHIVE_COLUMNS = 'first_sequence AS first, last_sequence AS last, file, sha256, archived_at AS archivedAt';

function prepareArchiveStatements(db: Db) {
  return {
    upTo: db.prepare('SELECT coalesce(max(last_sequence), 0) FROM audit_archives').pluck(),
    all: db.prepare(`SELECT ${ARCHIVE_COLUMNS} FROM audit_archives ORDER BY first_sequence`),
    // The newest digest a segment of at most @max entries can end at; else the oldest one, however long its segment.
    within: db.prepare(`SELECT ${DIGEST_COLUMNS} FROM audit_digests WHERE sequence > @after AND sequence <= @after + @max AND time < @before
      ORDER BY sequence DESC LIMIT 1`),
    beyond: db.prepare(`SELECT ${DIGEST_COLUMNS} FROM audit_digests WHERE sequence > @after AND time < @before ORDER BY sequence LIMIT 1`),
    entries: db.prepare(`SELECT ${CHAIN_COLUMNS} FROM audit_entries WHERE sequence >= ? AND sequence <= ? ORDER BY sequence`),
    digests: db.prepare(`SELECT ${DIGEST_COLUMNS} FROM audit_digests WHERE sequence >= ? AND sequence <= ? ORDER BY sequence`),
    add: db.prepare('INSERT INTO audit_archives (first_sequence, last_sequence, file, sha256, archived_at) VALUES (@first, @last, @file, @sha256, @archivedAt)'),
    dropEntries: db.prepare('DELETE FROM audit_entries WHERE sequence < ?'),
    dropDigests: db.prepare('DELETE FROM audit_digests WHERE sequence < ?'),
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
  private archiveStmts?: ReturnType<typeof prepareArchiveStatements>;
  private pendingRequests?: AuditPendingRequests;
  /** The index and the entries it names, read in one transaction: an archive step in another process removes both at once. */
  private readonly lookupEntries;

  constructor(
    private readonly db: Db,
    /** Cluster workers on this machine share the file (see AuditPendingRequests). */
    private readonly shared = false,
  ) {
    this.stmts = {
      head: db.prepare('SELECT sequence, hash FROM audit_entries ORDER BY sequence DESC LIMIT 1'),
      // Both tables' only index is their rowid (sequence): each insert appends (see audit-lookup-index.ts).
      insert: db.prepare('INSERT INTO audit_entries (sequence, record, previous_hash, hash) VALUES (?, ?, ?, ?)'),
      pending: db.prepare(`INSERT INTO audit_lookup_pending (sequence, event_id, event_time, event_name, event_source, read_only, username,
        access_key_id, resource_name, resource_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      entry: db.prepare(`SELECT ${CHAIN_COLUMNS} FROM audit_entries WHERE sequence = ?`),
      entries: db.prepare(`SELECT ${CHAIN_COLUMNS} FROM audit_entries WHERE sequence > ? ORDER BY sequence LIMIT ?`),
    };
    this.lookupEntries = db.transaction((query: AuditLookupQuery) => this.index.lookup(query).map((sequence) => this.stmts.entry.get(sequence) as AuditChainRecord));
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
      this.stmts.insert.run(e.sequence, e.recordJson, e.previousHash, e.hash);
      this.stmts.pending.run(e.sequence, e.eventId, e.eventTime, e.eventName, e.eventSource, e.readOnly ? 1 : 0, e.username ?? null,
        e.accessKeyId ?? null, e.resourceName ?? null, e.resourceType ?? null);
    }
  }

  async entries(afterSequence: number, limit: number): Promise<AuditChainRecord[]> {
    return this.stmts.entries.all(afterSequence, limit) as AuditChainRecord[];
  }

  async lookup(query: AuditLookupQuery): Promise<AuditChainRecord[]> {
    return this.lookupEntries(query);
  }

  /** audit_pending, prepared when first used (older schemas being moved or migrated have none). */
  private get pending(): AuditPendingRequests {
    return (this.pendingRequests ??= new AuditPendingRequests(this.db, this.shared));
  }

  async addPending(requests: readonly { requestId: string; sequence: number }[], owner: string): Promise<void> {
    for (const { requestId, sequence } of requests) this.pending.add(requestId, sequence, owner);
  }

  async settlePending(requestIds: readonly string[]): Promise<void> {
    for (const requestId of requestIds) this.pending.settle(requestId);
  }

  async interrupted(owner: string, limit: number): Promise<PendingAuditRequest[]> {
    return this.pending.interrupted(owner, limit);
  }

  async addDigest(digest: AuditDigestRecord): Promise<void> {
    this.digestStatements.add.run({ previousDigestHash: null, previousDigestSignature: null, intervalSeconds: null, ...digest });
  }

  async lastDigest(): Promise<AuditDigestRecord | undefined> {
    const row = this.digestStatements.last.get() as DigestRow | undefined;
    return row && toDigest(row);
  }

  /** Where the live log begins: the last sequence of the newest archive segment (kept live), or 0. */
  archivedUpTo(): number {
    return this.archive.upTo.get() as number;
  }

  archives(): ArchiveSegmentRecord[] {
    return this.archive.all.all() as ArchiveSegmentRecord[];
  }

  /**
   * The digest the next segment ends at: signed before `before` (ISO time),
   * after sequence `after`, the newest within `max` entries of it (else the
   * oldest beyond), or undefined if none is old enough.
   */
  archiveCut(after: number, before: string, max: number): AuditDigestRecord | undefined {
    const row = (this.archive.within.get({ after, before, max }) ?? this.archive.beyond.get({ after, before })) as DigestRow | undefined;
    return row && toDigest(row);
  }

  /** The chain entries first..last, as a sink writes them. */
  chainRange(first: number, last: number): AuditChainRecord[] {
    return this.archive.entries.all(first, last) as AuditChainRecord[];
  }

  digestsInRange(first: number, last: number): AuditDigestRecord[] {
    return (this.archive.digests.all(first, last) as DigestRow[]).map(toDigest);
  }

  /**
   * Records a segment written to its file and removes what it holds from the
   * live log, but for its last entry and digest, where the live log goes on
   * (so the head and the newest digest never vanish). In the caller's transaction.
   */
  recordArchive(segment: ArchiveSegmentRecord): void {
    this.archive.add.run(segment);
    this.archive.dropEntries.run(segment.last);
    this.archive.dropDigests.run(segment.last);
    this.index.forgetBefore(segment.last);
  }

  private get archive(): ReturnType<typeof prepareArchiveStatements> {
    return (this.archiveStmts ??= prepareArchiveStatements(this.db));
  }

  async digests(): Promise<AuditDigestRecord[]> {
    return (this.digestStatements.all.all() as DigestRow[]).map(toDigest);
  }
}
