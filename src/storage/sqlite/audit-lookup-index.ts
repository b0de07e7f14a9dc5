import type { AuditLookupKey } from '../stored-records.js';
import type { AuditLookupQuery } from '../repositories.js';
import type { Db } from './sqlite-durable.js';

/**
 * LookupEvents' index of the audit chain (tables audit_lookup,
 * audit_lookup_values, audit_lookup_buckets and audit_lookup_state in
 * audit.db). It is derived data, kept out of the synced commit that makes a
 * record durable: that commit puts each entry's lookup keys in
 * audit_lookup_pending, and entries are indexed afterwards, many at a time,
 * each step in one transaction that also records the sequence it reaches
 * (indexed_up_to) and removes the keys it indexed. A lookup reads the index
 * up to indexed_up_to and scans the (few) pending keys after it.
 *
 * Rows are keyed (attribute, bucket, value, time, sequence), bucket being
 * sequence >> BUCKET_SHIFT. Keyed by value first, every record would dirty
 * one page per attribute wherever its value sorts (a random page per
 * resource name); with the bucket first, a step's rows land in the few pages
 * of the current bucket. A lookup then reads each bucket's range for the
 * value, newest first, and stops at the first bucket that cannot hold
 * anything newer than what it has.
 *
 * Retention: nothing older than retained_from is answered, and buckets
 * wholly older than it are dropped (rows of a bucket that straddles it stay
 * until the whole bucket is older, unanswered). Entries moved to an archive
 * leave the index with them (forgetBefore).
 */

/** 4,096 entries per bucket: a step writes into a few pages; a lookup of a rare value probes one range per 4,096 entries. */
export const BUCKET_SHIFT = 12;

/**
 * audit_lookup's attribute numbers and the audit_lookup_pending column each is
 * taken from; 0 indexes every entry under ''. A coded attribute's rows hold
 * the number its value has in audit_lookup_values instead of the value: an
 * ARN or a service name, repeated in a row per entry, is most of the
 * index's bytes. Event IDs (one per entry) and ReadOnly (0 or 1) are stored
 * as they are.
 */
const ATTRIBUTES: Record<AuditLookupKey, { code: number; column: string; coded?: true }> = {
  EventId: { code: 1, column: 'event_id' },
  EventName: { code: 2, column: 'event_name', coded: true },
  EventSource: { code: 3, column: 'event_source', coded: true },
  ReadOnly: { code: 4, column: 'read_only' },
  Username: { code: 5, column: 'username', coded: true },
  AccessKeyId: { code: 6, column: 'access_key_id', coded: true },
  ResourceName: { code: 7, column: 'resource_name', coded: true },
  ResourceType: { code: 8, column: 'resource_type', coded: true },
};

/** Every attribute number audit_lookup holds rows under. */
const ATTRIBUTE_CODES = [0, ...Object.values(ATTRIBUTES).map(({ code }) => code)];

const STEP_RANGE = 'sequence > @from AND sequence <= @to';

interface Hit {
  event_time: number;
  sequence: number;
}

/** Newest first: time descending, then sequence descending. */
const newestFirst = (a: Hit, b: Hit) => b.event_time - a.event_time || b.sequence - a.sequence;

export class AuditLookupIndex {
  private readonly stmts;
  /** One tail scan per attribute (and one for none), prepared when first used. */
  private readonly tailScans = new Map<string, ReturnType<Db['prepare']>>();
  private readonly step;
  private readonly read;

  constructor(private readonly db: Db) {
    const rows = [
      `SELECT 0, sequence >> ${BUCKET_SHIFT}, '', event_time, sequence FROM audit_lookup_pending WHERE ${STEP_RANGE}`,
      ...Object.values(ATTRIBUTES).map(({ code, column, coded }) => {
        const value = coded ? `(SELECT id FROM audit_lookup_values WHERE attribute = ${code} AND value = ${column})` : column;
        return `SELECT ${code}, sequence >> ${BUCKET_SHIFT}, ${value}, event_time, sequence FROM audit_lookup_pending WHERE ${STEP_RANGE} AND ${column} IS NOT NULL`;
      }),
    ];
    const newValues = Object.values(ATTRIBUTES)
      .filter(({ coded }) => coded)
      .map(({ code, column }) => `SELECT DISTINCT ${code}, ${column} FROM audit_lookup_pending WHERE ${STEP_RANGE} AND ${column} IS NOT NULL`);
    this.stmts = {
      indexedUpTo: db.prepare('SELECT indexed_up_to FROM audit_lookup_state').pluck(),
      last: db.prepare('SELECT max(sequence) FROM audit_entries').pluck(),
      values: db.prepare(`INSERT OR IGNORE INTO audit_lookup_values (attribute, value) ${newValues.join(' UNION ALL ')}`),
      valueId: db.prepare('SELECT id FROM audit_lookup_values WHERE attribute = ? AND value = ?').pluck(),
      // Grouped by attribute, in sequence order: each attribute's rows go to the end of its bucket's ranges.
      insert: db.prepare(`INSERT OR IGNORE INTO audit_lookup (attribute, bucket, value, event_time, sequence) ${rows.join(' UNION ALL ')}`),
      buckets: db.prepare(`INSERT INTO audit_lookup_buckets (bucket, min_time, max_time)
        SELECT sequence >> ${BUCKET_SHIFT}, min(event_time), max(event_time) FROM audit_lookup_pending WHERE ${STEP_RANGE} GROUP BY 1
        ON CONFLICT (bucket) DO UPDATE SET min_time = min(min_time, excluded.min_time), max_time = max(max_time, excluded.max_time)`),
      advance: db.prepare('UPDATE audit_lookup_state SET indexed_up_to = ?'),
      indexed: db.prepare('DELETE FROM audit_lookup_pending WHERE sequence <= ?'),
      pendingBefore: db.prepare('DELETE FROM audit_lookup_pending WHERE sequence < ?'),
      retainedFrom: db.prepare('SELECT retained_from FROM audit_lookup_state').pluck(),
      retainFrom: db.prepare('UPDATE audit_lookup_state SET retained_from = max(retained_from, ?)'),
      oldBuckets: db.prepare('SELECT bucket FROM audit_lookup_buckets WHERE max_time < ?').pluck(),
      dropBucketRows: db.prepare('DELETE FROM audit_lookup WHERE attribute = ? AND bucket = ?'),
      dropBucket: db.prepare('DELETE FROM audit_lookup_buckets WHERE bucket = ?'),
      bucketsBefore: db.prepare('SELECT bucket FROM audit_lookup_buckets WHERE bucket < ?').pluck(),
      dropRowsBefore: db.prepare('DELETE FROM audit_lookup WHERE attribute = ? AND bucket = ? AND sequence < ?'),
      candidates: db.prepare(`SELECT bucket, max_time FROM audit_lookup_buckets
        WHERE bucket <= @lastBucket AND max_time >= @startTime AND min_time <= @endTime ORDER BY max_time DESC`),
      range: db.prepare(`SELECT event_time, sequence FROM audit_lookup
        WHERE attribute = @attribute AND bucket = @bucket AND value = @value AND event_time >= @startTime AND event_time <= @endTime
        AND sequence < @before ORDER BY event_time DESC, sequence DESC LIMIT @limit`),
    };
    // Reads the state inside the write lock, so that processes sharing the file never index a range twice.
    this.step = db.transaction((max: number) => this.indexStep(max));
    // One read transaction: the index and its state seen at one instant, whatever other processes commit meanwhile.
    this.read = db.transaction((query: AuditLookupQuery) => this.find(query));
  }

  /** The sequence up to which entries are indexed. */
  indexedUpTo(): number {
    return this.stmts.indexedUpTo.get() as number;
  }

  /** Indexes up to `max` of the entries not yet indexed, in one transaction; where the index and the chain then end. */
  indexNext(max: number): { indexedUpTo: number; last: number } {
    return this.step.immediate(max);
  }

  /**
   * Lookups answer nothing older than `time` (epoch ms) from now on, and the
   * rows of buckets wholly older go. Run inside the caller's transaction.
   */
  retain(time: number): number {
    this.stmts.retainFrom.run(time);
    const buckets = this.stmts.oldBuckets.all(time) as number[];
    for (const bucket of buckets) this.dropBucket(bucket);
    return buckets.length;
  }

  /** Removes the rows of entries before `sequence` (moved to an archive). Run inside the caller's transaction. */
  forgetBefore(sequence: number): void {
    const edge = sequence >> BUCKET_SHIFT;
    for (const bucket of this.stmts.bucketsBefore.all(edge) as number[]) this.dropBucket(bucket);
    for (const code of ATTRIBUTE_CODES) this.stmts.dropRowsBefore.run(code, edge, sequence);
    this.stmts.pendingBefore.run(sequence);
  }

  private dropBucket(bucket: number): void {
    for (const code of ATTRIBUTE_CODES) this.stmts.dropBucketRows.run(code, bucket);
    this.stmts.dropBucket.run(bucket);
  }

  /** The sequences a lookup selects, newest first. */
  lookup(query: AuditLookupQuery): number[] {
    return this.read(query);
  }

  private indexStep(max: number): { indexedUpTo: number; last: number } {
    const from = this.indexedUpTo();
    const last = (this.stmts.last.get() as number | null) ?? 0;
    const to = Math.min(last, from + max);
    if (to > from) {
      this.stmts.values.run({ from, to });
      this.stmts.insert.run({ from, to });
      this.stmts.buckets.run({ from, to });
      this.stmts.advance.run(to);
      this.stmts.indexed.run(to);
    }
    return { indexedUpTo: Math.max(from, to), last };
  }

  private find(query: AuditLookupQuery): number[] {
    const attribute = query.attribute ? ATTRIBUTES[query.attribute.key] : undefined;
    const bounds = {
      // Nothing older than the retention period is answered, even where its rows are still there.
      startTime: Math.max(query.startTime ?? Number.MIN_SAFE_INTEGER, this.stmts.retainedFrom.get() as number),
      endTime: query.endTime ?? Number.MAX_SAFE_INTEGER,
      before: query.beforeSequence ?? Number.MAX_SAFE_INTEGER,
      limit: query.limit,
    };
    const value = query.attribute?.key === 'ReadOnly' ? (query.attribute.value === 'true' ? 1 : 0) : (query.attribute?.value ?? '');
    const indexed = this.indexedUpTo();
    let hits = this.tailScan(attribute?.column).all({ ...bounds, indexed, ...(attribute ? { value } : {}) }) as Hit[];
    // The index holds a coded attribute's values by number; a value it never numbered is in no indexed row.
    const indexedValue = attribute?.coded ? (this.stmts.valueId.get(attribute.code, value) as number | undefined) : value;
    if (indexedValue === undefined) return hits.map((hit) => hit.sequence);
    const lastBucket = Math.floor(Math.min(indexed, bounds.before - 1) / 2 ** BUCKET_SHIFT);
    const buckets = this.stmts.candidates.all({ lastBucket, startTime: bounds.startTime, endTime: bounds.endTime }) as { bucket: number; max_time: number }[];
    for (const { bucket, max_time } of buckets) {
      // Buckets come newest first by their latest time: once one cannot beat the page's last hit, none after it can.
      if (hits.length >= query.limit && max_time < hits[query.limit - 1]!.event_time) break;
      const found = this.stmts.range.all({ ...bounds, attribute: attribute?.code ?? 0, bucket, value: indexedValue }) as Hit[];
      if (found.length) hits = [...hits, ...found].sort(newestFirst).slice(0, query.limit);
    }
    return hits.map((hit) => hit.sequence);
  }

  /** Entries after indexed_up_to that match, newest first: a scan of the pending keys only (sequence is the rowid). */
  private tailScan(column: string | undefined): ReturnType<Db['prepare']> {
    const key = column ?? '';
    let statement = this.tailScans.get(key);
    if (!statement) {
      statement = this.db.prepare(`SELECT event_time, sequence FROM audit_lookup_pending
        WHERE sequence > @indexed AND sequence < @before AND event_time >= @startTime AND event_time <= @endTime
        ${column ? `AND ${column} = @value` : ''} ORDER BY event_time DESC, sequence DESC LIMIT @limit`);
      this.tailScans.set(key, statement);
    }
    return statement;
  }
}
