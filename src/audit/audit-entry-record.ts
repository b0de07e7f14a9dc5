import type { AuditEntryRecord } from '../storage/index.js';
import type { AuditRecord } from './audit-record.js';
import { canonicalRecordJson } from './canonical-json.js';
import type { Entry } from './hash-chain.js';

/** The stored form of a chain entry: the record as canonical JSON (what the hash covers) and the lookup columns. */
export function toEntryRecord(entry: Entry): AuditEntryRecord {
  const r = entry.record;
  const resource = r.resources?.[0];
  return {
    sequence: entry.sequence,
    recordJson: canonicalRecordJson(r),
    previousHash: entry.previousHash,
    hash: entry.hash,
    eventId: r.eventID,
    eventTime: Date.parse(r.eventTime),
    eventName: r.eventName,
    eventSource: r.eventSource,
    readOnly: r.readOnly,
    ...(userName(r) === undefined ? {} : { username: userName(r) }),
    ...(r.userIdentity.accessKeyId ? { accessKeyId: r.userIdentity.accessKeyId } : {}),
    ...(resource ? { resourceName: resource.ARN, resourceType: resource.type } : {}),
  };
}

/** The chain entry back from its stored form. */
export function fromEntryRecord(stored: AuditEntryRecord): Entry {
  return { sequence: stored.sequence, record: JSON.parse(stored.recordJson) as AuditRecord, previousHash: stored.previousHash, hash: stored.hash };
}

/** LookupEvents' Username: the user or role session name, or "root". */
export function userName(record: AuditRecord): string | undefined {
  const identity = record.userIdentity;
  if (identity.userName) return identity.userName;
  if (identity.type === 'Root') return 'root';
  return identity.arn?.split('/').pop();
}
