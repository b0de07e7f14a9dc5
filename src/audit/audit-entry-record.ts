import type { AuditChainRecord, AuditEntryRecord } from '../storage/index.js';
import type { AuditRecord } from './cloudtrail-record.js';
import { canonicalRecordJson } from './canonical-json.js';
import type { ChainHead, Entry } from './hash-chain.js';

/**
 * What LookupEvents filters on, taken from a record where it is built (the
 * main thread), in the order of the audit_entries columns: the audit thread
 * stores it without parsing the record. Absent values are null.
 */
export type LookupKeys = [
  eventId: string,
  eventTime: number,
  eventName: string,
  eventSource: string,
  readOnly: boolean,
  username: string | null,
  accessKeyId: string | null,
  resourceName: string | null,
  resourceType: string | null,
];

export function lookupKeysOf(r: AuditRecord): LookupKeys {
  const resource = r.resources?.[0];
  return [
    r.eventID,
    Date.parse(r.eventTime),
    r.eventName,
    r.eventSource,
    r.readOnly,
    userName(r) ?? null,
    r.userIdentity.accessKeyId || null,
    resource?.ARN ?? null,
    resource?.type ?? null,
  ];
}

/** The stored form of a chain entry: its record as canonical JSON (what the hash covers) and its lookup keys. */
export function storedEntry(link: ChainHead & { previousHash: string }, recordJson: string, keys: LookupKeys): AuditEntryRecord {
  const [eventId, eventTime, eventName, eventSource, readOnly, username, accessKeyId, resourceName, resourceType] = keys;
  return {
    sequence: link.sequence,
    recordJson,
    previousHash: link.previousHash,
    hash: link.hash,
    eventId,
    eventTime,
    eventName,
    eventSource,
    readOnly,
    ...(username === null ? {} : { username }),
    ...(accessKeyId === null ? {} : { accessKeyId }),
    ...(resourceName === null ? {} : { resourceName }),
    ...(resourceType === null ? {} : { resourceType }),
  };
}

export function toEntryRecord(entry: Entry): AuditEntryRecord {
  return storedEntry(entry, canonicalRecordJson(entry.record), lookupKeysOf(entry.record));
}

/** A stored chain entry with its lookup keys, taken from its record as when it was appended. */
export function withLookupKeys(chain: AuditChainRecord): AuditEntryRecord {
  return storedEntry(chain, chain.recordJson, lookupKeysOf(JSON.parse(chain.recordJson) as AuditRecord));
}

/** The chain entry back from its stored form. */
export function fromEntryRecord(stored: AuditChainRecord): Entry {
  return { sequence: stored.sequence, record: JSON.parse(stored.recordJson) as AuditRecord, previousHash: stored.previousHash, hash: stored.hash };
}

/** LookupEvents' Username: the user or role session name, or "root". */
export function userName(record: AuditRecord): string | undefined {
  const identity = record.userIdentity;
  if (identity.userName) return identity.userName;
  if (identity.type === 'Root') return 'root';
  return identity.arn?.split('/').pop();
}
