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
 * audit_lookup's rows: five per entry at most, each with a small value.
 * Values that would repeat in a row per entry (a service and operation, a
 * user and access key, an ARN) are numbered once in audit_lookup_values, and
 * what is found together is numbered together: an event name with its
 * source, a user with its access key. A lookup of one half probes every
 * number whose value has it (a prefix range, or a scan of the few values of
 * that kind). The time row, which every entry has, carries ReadOnly and the
 * resource type in its value (read_only + 2 × the type's number, 0 for none),
 * so that time-only, ReadOnly and ResourceType lookups share it. An event ID
 * is kept as its last 6 bytes (the random part of a UUID; other IDs as they
 * are), and what it finds is checked against the record.
 */
const Row = { time: 0, eventId: 1, event: 2, principal: 5, resource: 7 } as const;
/** audit_lookup_values' kinds: the row numbers above, and resource types (numbered for the time row). */
const RESOURCE_TYPE = 8;

/** A pair's value: its halves joined by char(31), which no event name, service, user name or access key holds. */
const PAIR = (a: string, b: string) => `${a} || char(31) || ${b}`;
const PRINCIPAL = PAIR("coalesce(username, '')", "coalesce(access_key_id, '')");
const EVENT_ID_KEY = (column: string) => `coalesce(substr(unhex(replace(${column}, '-', '')), 11), ${column})`;
const valueId = ({ kind, value }: { kind: number; value: string }) => `(SELECT id FROM audit_lookup_values WHERE attribute = ${kind} AND value = ${value})`;

/** Every row kind audit_lookup holds. */
const ROW_KINDS = Object.values(Row);

/** The values numbered in audit_lookup_values, each from the pending keys of an entry that has one. */
const NUMBERED = {
  resourceType: { kind: RESOURCE_TYPE, value: 'resource_type', has: 'resource_type IS NOT NULL' },
  event: { kind: Row.event, value: PAIR('event_name', 'event_source'), has: 'TRUE' },
  principal: { kind: Row.principal, value: PRINCIPAL, has: '(username IS NOT NULL OR access_key_id IS NOT NULL)' },
  resource: { kind: Row.resource, value: 'resource_name', has: 'resource_name IS NOT NULL' },
};

/** Each lookup attribute: the row it probes, and the column of audit_lookup_pending that the scan of what is not yet indexed reads. */
const LOOKUPS: Record<AuditLookupKey, { row: number; pending: string }> = {
  EventId: { row: Row.eventId, pending: 'event_id' },
  EventName: { row: Row.event, pending: 'event_name' },
  EventSource: { row: Row.event, pending: 'event_source' },
  ReadOnly: { row: Row.time, pending: 'read_only' },
  Username: { row: Row.principal, pending: 'username' },
  AccessKeyId: { row: Row.principal, pending: 'access_key_id' },
  ResourceName: { row: Row.resource, pending: 'resource_name' },
  ResourceType: { row: Row.time, pending: 'resource_type' },
};

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
    const from = `FROM audit_lookup_pending WHERE ${STEP_RANGE}`;
    const rows = [
      `SELECT ${Row.time}, sequence >> ${BUCKET_SHIFT}, read_only + 2 * coalesce(${valueId(NUMBERED.resourceType)}, 0), event_time, sequence ${from}`,
      `SELECT ${Row.eventId}, sequence >> ${BUCKET_SHIFT}, ${EVENT_ID_KEY('event_id')}, event_time, sequence ${from}`,
      ...[NUMBERED.event, NUMBERED.principal, NUMBERED.resource].map(
        (numbered) => `SELECT ${numbered.kind}, sequence >> ${BUCKET_SHIFT}, ${valueId(numbered)}, event_time, sequence ${from} AND ${numbered.has}`,
      ),
    ];
    const newValues = Object.values(NUMBERED).map(({ kind, value, has }) => `SELECT DISTINCT ${kind}, ${value} ${from} AND ${has}`);
    this.stmts = {
      indexedUpTo: db.prepare('SELECT indexed_up_to FROM audit_lookup_state').pluck(),
      last: db.prepare('SELECT max(sequence) FROM audit_entries').pluck(),
      values: db.prepare(`INSERT OR IGNORE INTO audit_lookup_values (attribute, value) ${newValues.join(' UNION ALL ')}`),
      valueId: db.prepare('SELECT id FROM audit_lookup_values WHERE attribute = ? AND value = ?').pluck(),
      // A pair's numbers by its first half (a range of the unique index) or by its second (a scan of that kind's few values).
      firstHalf: db.prepare(`SELECT id FROM audit_lookup_values WHERE attribute = @kind AND value >= @value || char(31) AND value < @value || char(32)`).pluck(),
      secondHalf: db.prepare(`SELECT id FROM audit_lookup_values WHERE attribute = @kind AND substr(value, instr(value, char(31)) + 1) = @value`).pluck(),
      resourceTypes: db.prepare(`SELECT id FROM audit_lookup_values WHERE attribute = ${RESOURCE_TYPE}`).pluck(),
      eventIdKey: db.prepare(`SELECT ${EVENT_ID_KEY('@value')}`).pluck(),
      eventIdOf: db.prepare("SELECT json_extract(record, '$.eventID') FROM audit_entries WHERE sequence = ?").pluck(),
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
    for (const kind of ROW_KINDS) this.stmts.dropRowsBefore.run(kind, edge, sequence);
    this.stmts.pendingBefore.run(sequence);
  }

  private dropBucket(bucket: number): void {
    for (const kind of ROW_KINDS) this.stmts.dropBucketRows.run(kind, bucket);
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
    const bounds = {
      // Nothing older than the retention period is answered, even where its rows are still there.
      startTime: Math.max(query.startTime ?? Number.MIN_SAFE_INTEGER, this.stmts.retainedFrom.get() as number),
      endTime: query.endTime ?? Number.MAX_SAFE_INTEGER,
      before: query.beforeSequence ?? Number.MAX_SAFE_INTEGER,
      limit: query.limit,
    };
    const key = query.attribute?.key;
    const value = key === 'ReadOnly' ? (query.attribute!.value === 'true' ? 1 : 0) : (query.attribute?.value ?? '');
    const indexed = this.indexedUpTo();
    let hits = this.tailScan(key && LOOKUPS[key].pending).all({ ...bounds, indexed, ...(key ? { value } : {}) }) as Hit[];
    const row = key ? LOOKUPS[key].row : Row.time;
    const values = this.indexedValues(key, value);
    if (!values.length) return hits.map((hit) => hit.sequence);
    const lastBucket = Math.floor(Math.min(indexed, bounds.before - 1) / 2 ** BUCKET_SHIFT);
    const buckets = this.stmts.candidates.all({ lastBucket, startTime: bounds.startTime, endTime: bounds.endTime }) as { bucket: number; max_time: number }[];
    // Only a short event ID key can match another ID: each hit is checked against its record.
    const matches = key === 'EventId' ? (hit: Hit) => this.stmts.eventIdOf.get(hit.sequence) === value : undefined;
    for (const { bucket, max_time } of buckets) {
      // Buckets come newest first by their latest time: once one cannot beat the page's last hit, none after it can.
      if (hits.length >= query.limit && max_time < hits[query.limit - 1]!.event_time) break;
      let found: Hit[] = [];
      for (const indexedValue of values) found.push(...(this.stmts.range.all({ ...bounds, attribute: row, bucket, value: indexedValue }) as Hit[]));
      if (matches) found = found.filter(matches);
      if (found.length) hits = [...hits, ...found].sort(newestFirst).slice(0, query.limit);
    }
    return hits.map((hit) => hit.sequence);
  }

  /** The values of the indexed rows a lookup probes (none if the index holds none that match). */
  private indexedValues(key: AuditLookupKey | undefined, value: string | number): (string | number | Buffer)[] {
    const types = () => [0, ...(this.stmts.resourceTypes.all() as number[])];
    switch (key) {
      case undefined:
        return types().flatMap((type) => [2 * type, 2 * type + 1]);
      case 'ReadOnly':
        return types().map((type) => 2 * type + (value as number));
      case 'ResourceType': {
        const type = this.stmts.valueId.get(RESOURCE_TYPE, value) as number | undefined;
        return type === undefined ? [] : [2 * type, 2 * type + 1];
      }
      case 'EventId':
        return [this.stmts.eventIdKey.get({ value }) as string | Buffer];
      case 'EventName':
      case 'Username':
        return this.stmts.firstHalf.all({ kind: LOOKUPS[key].row, value }) as number[];
      case 'EventSource':
      case 'AccessKeyId':
        return this.stmts.secondHalf.all({ kind: LOOKUPS[key].row, value }) as number[];
      case 'ResourceName': {
        const id = this.stmts.valueId.get(Row.resource, value) as number | undefined;
        return id === undefined ? [] : [id];
      }
    }
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
