import { createHash } from 'node:crypto';
import type { AuditRecord } from './cloudtrail-record.js';
import { canonicalJson, canonicalRecordJson } from './canonical-json.js';

/**
 * The audit log is a hash chain: each entry's hash covers its own sequence
 * number, the previous entry's hash and its record, so that changing,
 * removing, adding or reordering any entry changes every hash after it.
 *
 *   hash = SHA-256( "coffer-audit-entry-v1" || 0x00
 *                   || sequence as 8 bytes big-endian
 *                   || previousHash as its 32 raw bytes
 *                   || UTF-8 canonical JSON of the record )
 *
 * The label keeps these hashes from ever equalling a hash computed for
 * another purpose (a digest signature input, say); the fixed-width fields
 * before the variable-length record keep the layout unambiguous. Hashes are
 * written as lower-case hex. The first entry has sequence 1 and links to
 * GENESIS_HEAD.
 */

export interface ChainHead {
  sequence: number;
  /** Lower-case hex SHA-256. */
  hash: string;
}

export interface Entry extends ChainHead {
  record: AuditRecord;
  previousHash: string;
}

const ENTRY_LABEL = Buffer.from('coffer-audit-entry-v1\0');

/** What an empty log's head is: sequence 0 and a hash of a fixed label. */
export const GENESIS_HEAD: Readonly<ChainHead> = Object.freeze({
  sequence: 0,
  hash: createHash('sha256').update('coffer-audit-genesis-v1').digest('hex'),
});

const HEX_HASH = /^[0-9a-f]{64}$/;

/** Whether a value has the form of a hash this chain writes. */
export function isHexHash(value: unknown): value is string {
  return typeof value === 'string' && HEX_HASH.test(value);
}

/** The hash an entry with these contents must carry (the record serialized afresh: what a verifier needs). */
export function entryHash(sequence: number, previousHash: string, record: AuditRecord): string {
  return hashOfText(sequence, previousHash, canonicalJson(record));
}

function hashOfText(sequence: number, previousHash: string, recordText: string): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new RangeError(`bad sequence ${sequence}`);
  if (!isHexHash(previousHash)) throw new RangeError('previousHash is not a hex SHA-256');
  return createHash('sha256')
    .update(ENTRY_LABEL)
    .update(uint64(sequence))
    .update(Buffer.from(previousHash, 'hex'))
    .update(recordText, 'utf8')
    .digest('hex');
}

/** An entry's place in the chain, without its record. */
export interface ChainLink extends ChainHead {
  previousHash: string;
}

/**
 * Chains records onto a head. A batch at a time, so that a group commit
 * hashes and writes many records at once; the new head is the last entry
 * (or the given head if there were no records).
 */
export function appendEntries(previousHead: ChainHead, records: Iterable<AuditRecord>): Entry[] {
  const list = [...records];
  // Serialized once for the hash, the database row and the file sinks (canonicalRecordJson remembers it).
  return chainTexts(previousHead, list.map(canonicalRecordJson)).map(({ sequence, previousHash, hash }, i) => ({ sequence, record: list[i]!, previousHash, hash }));
}

/** Chains records given as their canonical JSON (what the audit thread receives): the links, in order. */
export function chainTexts(previousHead: ChainHead, texts: readonly string[]): ChainLink[] {
  const links: ChainLink[] = [];
  let head: ChainHead = previousHead;
  for (const text of texts) {
    const sequence = head.sequence + 1;
    const link: ChainLink = { sequence, previousHash: head.hash, hash: hashOfText(sequence, head.hash, text) };
    links.push(link);
    head = link;
  }
  return links;
}

/** The head a log ends at once these entries are appended after `previousHead`. */
export function headAfter(previousHead: ChainHead, entries: readonly Entry[]): ChainHead {
  const last = entries.at(-1);
  return last ? { sequence: last.sequence, hash: last.hash } : { sequence: previousHead.sequence, hash: previousHead.hash };
}

/** 8 bytes big-endian: sequences are safe integers, so this is exact. */
export function uint64(value: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(value));
  return bytes;
}
