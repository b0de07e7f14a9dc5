import type { AuditReader } from '../../audit/audit-log.js';
import type { AuditRecord } from '../../audit/cloudtrail-record.js';
import type { AuditEntryRecord } from '../../storage/index.js';
import type { LookupFilter } from './lookup-query.js';
import type { Position } from './lookup-token.js';

/**
 * Rows one call examines at most. A lookup whose matches are mostly other
 * regions' ends early with a NextToken and a short (even empty) page, as
 * AWS's own LookupEvents pages may.
 */
export const SCAN_BUDGET = 1000;

export interface FoundEvent {
  entry: AuditEntryRecord;
  record: AuditRecord;
}

export interface Page {
  events: FoundEvent[];
  /** Set while there may be more. */
  next?: Position;
}

/** Up to `limit` events of `region` after `after`, newest first. */
export async function lookupPage(audit: AuditReader, filter: LookupFilter, region: string, limit: number, after?: Position): Promise<Page> {
  const events: FoundEvent[] = [];
  let position = after;
  let scanned = 0;
  // One row beyond the page says whether another page exists.
  let batch = limit + 1;
  for (;;) {
    const rows = await entriesAfter(audit, filter, position, batch);
    for (const entry of rows) {
      scanned++;
      position = positionOf(entry);
      const record = JSON.parse(entry.recordJson) as AuditRecord;
      // LookupEvents answers for the region it is called in, one event per call: a change's outcome record, not its request record.
      if (record.awsRegion !== region || record.additionalEventData?.auditPhase === 'request') continue;
      events.push({ entry, record });
      if (events.length > limit) return { events: events.slice(0, limit), next: positionOf(events[limit - 1]!.entry) };
    }
    if (rows.length < batch) return { events };
    if (scanned >= SCAN_BUDGET) return { events, next: position };
    batch = Math.min(batch * 2, SCAN_BUDGET - scanned);
  }
}

function positionOf(entry: AuditEntryRecord): Position {
  return { time: entry.eventTime, sequence: entry.sequence };
}

/**
 * Entries strictly after `after` in (time, sequence) descending order. Event
 * times need not grow with sequence (a record carries its request's start
 * time, and requests finish out of order), so the repository's sequence
 * cursor alone could skip or repeat entries: this asks for the rest of the
 * cursor's own time first, then for everything older.
 */
async function entriesAfter(audit: AuditReader, filter: LookupFilter, after: Position | undefined, limit: number): Promise<AuditEntryRecord[]> {
  const base = { ...(filter.attribute ? { attribute: filter.attribute } : {}), startTime: filter.startTime };
  if (!after) return audit.lookup({ ...base, endTime: filter.endTime, limit });
  const sameTime = await audit.lookup({ ...base, startTime: after.time, endTime: after.time, beforeSequence: after.sequence, limit });
  if (sameTime.length === limit) return sameTime;
  const older = await audit.lookup({ ...base, endTime: after.time - 1, limit: limit - sameTime.length });
  return [...sameTime, ...older];
}
