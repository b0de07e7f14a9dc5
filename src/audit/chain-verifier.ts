import type { KeyObject } from 'node:crypto';
import { describeDigest, verifyDigest, type Digest } from './digest.js';
import { entryHash, GENESIS_HEAD, isHexHash, type ChainHead, type Entry } from './hash-chain.js';

export type VerifyResult =
  | { ok: true; count: number; head: ChainHead }
  | {
      ok: false;
      /**
       * The first sequence number at which the log is not what was written:
       * the altered entry, the first missing one, the first out of place, a
       * sequence that appears twice, or the first of those a signed digest
       * proves were cut off. When the chain was rewritten consistently, only
       * a digest can tell: the sequence it covers. For a digest whose
       * signature fails, the sequence that digest claims.
       */
      firstBad: { sequence: number; reason: string };
    };

const fail = (sequence: number, reason: string): VerifyResult => ({ ok: false, firstBad: { sequence, reason } });

/**
 * Checks a whole log, from genesis, in one pass (entries may be streamed)
 * against the digests signed along the way, and stops at the first fault.
 * The chain links alone catch any change short of rewriting every later
 * entry; the digests catch that rewrite, and a log cut back to before a
 * signed head, which the links cannot.
 */
export function verifyChain(entries: Iterable<Entry>, digests: Iterable<Digest>, publicKey: KeyObject): VerifyResult {
  // Digests first: an unsigned digest would vouch for whatever it names.
  const digestsAt = new Map<number, Digest[]>();
  let lastDigest: Digest | undefined;
  for (const digest of digests) {
    if (!verifyDigest(digest, publicKey)) {
      return fail(digest.sequence, `${describeDigest(digest)} has an invalid signature`);
    }
    digestsAt.set(digest.sequence, [...(digestsAt.get(digest.sequence) ?? []), digest]);
    if (!lastDigest || digest.sequence > lastDigest.sequence) lastDigest = digest;
  }
  // The last head a digest vouched for: a rewrite caught by a later digest began after it.
  let vouched = -1;
  const matchesDigests = (head: ChainHead): VerifyResult | undefined => {
    const at = digestsAt.get(head.sequence);
    if (!at) return undefined;
    const differing = at.find((digest) => digest.hash !== head.hash);
    if (!differing) {
      vouched = head.sequence;
      return undefined;
    }
    const since = vouched < 0 ? 'since genesis' : `after sequence ${vouched}`;
    return fail(head.sequence, `hash differs from the ${describeDigest(differing)}: the log was rewritten ${since}`);
  };

  let head: ChainHead = GENESIS_HEAD;
  const genesisFault = matchesDigests(head);
  if (genesisFault) return genesisFault;
  let count = 0;
  for (const entry of entries) {
    const expected = head.sequence + 1;
    const fault = linkFault(entry, expected, head) ?? matchesDigests(entry);
    if (fault) return fault;
    head = { sequence: entry.sequence, hash: entry.hash };
    count++;
  }
  if (lastDigest && lastDigest.sequence > head.sequence) {
    return fail(head.sequence + 1, `log ends at sequence ${head.sequence}, before the ${describeDigest(lastDigest)}: entries were cut off`);
  }
  return { ok: true, count, head };
}

/** Why an entry does not follow `previous` as entry number `expected`, if it does not. */
function linkFault(entry: Entry, expected: number, previous: ChainHead): VerifyResult | undefined {
  if (!Number.isSafeInteger(entry.sequence) || entry.sequence < 1 || !isHexHash(entry.previousHash) || !isHexHash(entry.hash)) {
    return fail(expected, 'malformed entry');
  }
  // A later number means entries were removed or moved; an earlier one, that a number is claimed twice.
  if (entry.sequence > expected) {
    return fail(expected, `expected sequence ${expected}, found ${entry.sequence}: entries missing or out of order`);
  }
  if (entry.sequence < expected) {
    return fail(entry.sequence, `sequence ${entry.sequence} appears again after ${previous.sequence}: entry inserted or out of order`);
  }
  if (entry.previousHash !== previous.hash) return fail(expected, 'previousHash does not match the entry before');
  let hash: string;
  try {
    hash = entryHash(entry.sequence, entry.previousHash, entry.record);
  } catch {
    return fail(expected, 'record cannot be serialized');
  }
  if (hash !== entry.hash) return fail(expected, 'hash does not match the contents: the entry was altered');
  return undefined;
}
