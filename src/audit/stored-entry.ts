import type { AuditChainRecord, AuditEntryRecord } from '../storage/index.js';
import type { AuditRecord } from './cloudtrail-record.js';
import { canonicalRecordJson } from './canonical-json.js';
import type { ChainHead, Entry } from './hash-chain.js';
import { lookupKeysOf, type LookupKeys } from './lookup-keys.js';

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
