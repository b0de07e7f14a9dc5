import type { KeyObject } from 'node:crypto';
import { describeDigest, digestHash, verifyDigest, type Digest } from './digest.js';
import { entryHash, GENESIS_HEAD, isHexHash, type ChainHead, type Entry } from './hash-chain.js';

export type VerifyResult =
  | {
      ok: true;
      count: number;
      head: ChainHead;
      /** Where the entries given began, when earlier ones were left out (archived): a signed digest vouches for it. */
      start?: ChainHead;
      /** Entries after the newest digest that a digest was promised for long ago: digests removed, or the signer stopped or sealed. */
      missing?: string[];
      /** Entries a digest covered only later than promised (the chain shows none was removed): the signer was sealed or stopped. */
      late?: string[];
    }
  | {
      ok: false;
      /**
       * The first sequence number at which the log is not what was written:
       * the altered entry, the first missing one, the first out of place, a
       * sequence that appears twice, or the first of those a signed digest
       * proves were cut off. When the chain was rewritten consistently, only
       * a digest can tell: the sequence it covers. For a digest whose
       * signature fails, the sequence that digest claims. No sequence when
       * what is wrong is a digest that is not there.
       */
      firstBad: { sequence?: number; reason: string };
    };

export interface VerifyOptions {
  /** Digests kept apart from the log (exported digest files): each must be one of the log's, and its entries must reach it. */
  exported?: readonly Digest[];
  /** Hashes (digestHash) of digests kept apart from the log: each must be the hash of one of the log's digests. */
  exportedHashes?: readonly string[];
}

type Failure = Extract<VerifyResult, { ok: false }>;

const fail = (sequence: number | undefined, reason: string): Failure => ({ ok: false, firstBad: { ...(sequence === undefined ? {} : { sequence }), reason } });

/**
 * Checks a log in one pass (entries may be streamed) against the digests
 * signed along the way, and stops at the first fault. The chain links alone
 * catch any change short of rewriting every later entry; the digests catch
 * that rewrite, and a log cut back to before a signed head, which the links
 * cannot. The digests form a chain of their own, so none can be removed from
 * between two others; a digest kept elsewhere (options.exported) vouches for
 * everything up to it, so that a log rewritten after some point, with the
 * digests after it dropped, fails. Without one, such a tail shows only as
 * entries left uncovered longer than the signer's interval (reported as
 * missing digests).
 *
 * The entries normally start at sequence 1; they may start later (the
 * earlier ones archived) at an entry a signed digest covers exactly.
 */
export function verifyChain(entries: Iterable<Entry>, digests: Iterable<Digest>, publicKey: KeyObject, options: VerifyOptions = {}): VerifyResult {
  const run = new Verification(digests, publicKey, options);
  if (run.fault) return run.fault;
  for (const entry of entries) {
    const fault = run.see(entry);
    if (fault) return fault;
  }
  return run.finish();
}

/** verifyChain over entries read a page at a time from a database that answers asynchronously. */
export async function verifyChainOf(entries: AsyncIterable<Entry>, digests: Iterable<Digest>, publicKey: KeyObject, options: VerifyOptions = {}): Promise<VerifyResult> {
  const run = new Verification(digests, publicKey, options);
  if (run.fault) return run.fault;
  for await (const entry of entries) {
    const fault = run.see(entry);
    if (fault) return fault;
  }
  return run.finish();
}

/** One pass of verifyChain: the digests checked first, then each entry as it comes, then the end. */
class Verification {
  /** Set when the digests alone fail: no entry needs reading. */
  readonly fault?: Failure;
  private readonly logDigests: Digest[];
  private readonly chain: DigestChecks;
  private readonly lateness: Lateness;
  private head?: ChainHead;
  private start?: ChainHead;
  private count = 0;

  constructor(digests: Iterable<Digest>, publicKey: KeyObject, options: VerifyOptions) {
    // Digests first: an unsigned digest would vouch for whatever it names.
    this.logDigests = [...digests].sort((a, b) => a.sequence - b.sequence);
    this.chain = new DigestChecks([...this.logDigests, ...(options.exported ?? [])]);
    this.lateness = new Lateness(this.logDigests);
    this.fault = signatureFault(this.logDigests, publicKey, options);
  }

  see(entry: Entry): Failure | undefined {
    if (!this.head) {
      // The first entry: sequence 1 after genesis, or a later one a digest vouches for.
      const fault = entry.sequence === 1 ? this.chain.matches(GENESIS_HEAD) : this.chain.vouchesForStart(entry);
      if (fault) return fault;
      if (entry.sequence !== 1) this.start = { sequence: entry.sequence, hash: entry.hash };
    }
    const previous = this.head ?? (this.start ? undefined : GENESIS_HEAD);
    const fault = (previous ? linkFault(entry, previous.sequence + 1, previous) : entryFault(entry)) ?? this.chain.matches(entry);
    if (fault) return fault;
    this.head = { sequence: entry.sequence, hash: entry.hash };
    this.count++;
    this.lateness.see(entry);
    return undefined;
  }

  finish(): VerifyResult {
    const { start, count } = this;
    const end = this.head ?? GENESIS_HEAD;
    const linkFaultOfDigests = digestChainFault(this.logDigests, start);
    if (linkFaultOfDigests) return linkFaultOfDigests;
    const beyond = this.chain.beyond(end);
    if (beyond) return beyond;
    const { missing, late } = this.lateness.report();
    return { ok: true, count, head: end, ...(start ? { start } : {}), ...(missing.length ? { missing } : {}), ...(late.length ? { late } : {}) };
  }
}

/** Every digest, the log's and those kept elsewhere, must carry a valid signature; each kept elsewhere must be the log's. */
function signatureFault(logDigests: readonly Digest[], publicKey: KeyObject, options: VerifyOptions): Failure | undefined {
  for (const digest of logDigests) {
    if (!verifyDigest(digest, publicKey)) return fail(digest.sequence, `${describeDigest(digest)} has an invalid signature`);
  }
  for (const digest of options.exported ?? []) {
    if (!verifyDigest(digest, publicKey)) return fail(digest.sequence, `the exported ${describeDigest(digest)} has an invalid signature`);
  }
  return missingExported(options, new Map(logDigests.map((digest) => [digestHash(digest), digest])));
}

/** Each exported hash must name a digest of the log; each exported digest must be one of the log's. */
function missingExported(options: VerifyOptions, hashes: Map<string, Digest>): Failure | undefined {
  for (const hash of options.exportedHashes ?? []) {
    if (!isHexHash(hash)) return fail(undefined, `${hash} is not a digest hash (64 hex digits)`);
    if (!hashes.has(hash)) return fail(undefined, `no digest of the log has the exported hash ${hash}: that digest was removed, or the hash is another log's`);
  }
  for (const digest of options.exported ?? []) {
    if (!hashes.has(digestHash(digest))) {
      return fail(digest.sequence, `the exported ${describeDigest(digest)} is not among the log's digests: digests were removed from the log`);
    }
  }
  return undefined;
}

/** Each chained digest names the one before it: a link that does not hold means digests were removed (or forged in between). */
function digestChainFault(digests: readonly Digest[], start: ChainHead | undefined): Failure | undefined {
  for (let i = 0; i < digests.length; i++) {
    const digest = digests[i]!;
    const before = digests[i - 1];
    if (digest.version === 1) {
      if (before?.version === 2) return fail(digest.sequence, `an unchained ${describeDigest(digest)} follows chained digests`);
      continue;
    }
    if (!before) {
      // The oldest digest given: the first ever, or (entries archived) one whose predecessor left with them.
      if (digest.previousDigestHash !== null && !start) {
        return fail(digest.sequence, `the ${describeDigest(digest)} names an earlier digest the log does not have: digests before it were removed`);
      }
      continue;
    }
    if (digest.previousDigestHash !== digestHash(before)) {
      return fail(
        digest.sequence,
        `the ${describeDigest(digest)} does not name the ${describeDigest(before)} as the digest before it: digests between sequence ${before.sequence} and ${digest.sequence} were removed`,
      );
    }
  }
  return undefined;
}

/**
 * Entries recorded more than two of the signer's intervals after the digest
 * before them: a running signer would have covered them sooner. Between two
 * digests that is a signer that was sealed or stopped (the digest chain shows
 * none was removed); after the newest, digests may also have been removed.
 */
class Lateness {
  /** Index of the newest digest before the entry being seen. */
  private before = -1;
  /** Late entries by the index of the digest before them: first and last sequence, newest time. */
  private readonly spans = new Map<number, { first: number; last: number; newest: number }>();

  constructor(private readonly digests: readonly Digest[]) {}

  see(entry: Entry): void {
    while (this.before + 1 < this.digests.length && this.digests[this.before + 1]!.sequence < entry.sequence) this.before++;
    const digest = this.digests[this.before];
    if (!digest || digest.version !== 2 || !digest.intervalSeconds) return;
    const time = Date.parse(entry.record.eventTime);
    if (!(time > Date.parse(digest.time) + 2 * digest.intervalSeconds * 1000)) return;
    const span = this.spans.get(this.before);
    if (span) Object.assign(span, { last: entry.sequence, newest: Math.max(span.newest, time) });
    else this.spans.set(this.before, { first: entry.sequence, last: entry.sequence, newest: time });
  }

  report(): { missing: string[]; late: string[] } {
    const missing: string[] = [];
    const late: string[] = [];
    for (const [index, { first, last, newest }] of this.spans) {
      const digest = this.digests[index]!;
      const entries = `${first === last ? `entry ${first}` : `entries ${first}–${last}`} (recorded up to ${new Date(newest).toISOString()})`;
      const promise = `though a digest is signed every ${digest.intervalSeconds} s after the ${describeDigest(digest)}`;
      const next = this.digests[index + 1];
      if (next) late.push(`${entries} waited for the ${describeDigest(next)}, ${promise}: the server was sealed or its signing stopped`);
      else missing.push(`${entries} covered by no digest, ${promise}: digests after it are missing (removed, or the server was sealed or killed meanwhile)`);
    }
    return { missing, late };
  }
}

/** The heads the digests vouch for, checked as the entries pass. */
class DigestChecks {
  private readonly at = new Map<number, Digest[]>();
  private readonly last?: Digest;
  /** The last head a digest vouched for: a rewrite caught by a later digest began after it. */
  private vouched = -1;

  constructor(digests: readonly Digest[]) {
    for (const digest of digests) {
      this.at.set(digest.sequence, [...(this.at.get(digest.sequence) ?? []), digest]);
      if (!this.last || digest.sequence > this.last.sequence) this.last = digest;
    }
  }

  matches(head: ChainHead): Failure | undefined {
    const at = this.at.get(head.sequence);
    if (!at) return undefined;
    const differing = at.find((digest) => digest.hash !== head.hash);
    if (!differing) {
      this.vouched = head.sequence;
      return undefined;
    }
    const since = this.vouched < 0 ? 'since genesis' : `after sequence ${this.vouched}`;
    return fail(head.sequence, `hash differs from the ${describeDigest(differing)}: the log was rewritten ${since}`);
  }

  /** A log that starts after sequence 1 must start at an entry a digest covers, so that its start is signed. */
  vouchesForStart(first: Entry): Failure | undefined {
    const earlier = [...this.at.keys()].filter((sequence) => sequence < first.sequence).sort((a, b) => a - b)[0];
    if (earlier !== undefined) {
      return fail(earlier, `the log starts at sequence ${first.sequence}, after the ${describeDigest(this.at.get(earlier)![0]!)}: entries before it are missing (give the archive)`);
    }
    if (!this.at.get(first.sequence)?.some((digest) => digest.hash === first.hash)) {
      return fail(1, `expected sequence 1, found ${first.sequence}, and no signed digest covers it: entries missing`);
    }
    return undefined;
  }

  /** A digest beyond the end of the log means entries were cut off. */
  beyond(end: ChainHead): Failure | undefined {
    if (!this.last || this.last.sequence <= end.sequence) return undefined;
    return fail(end.sequence + 1, `log ends at sequence ${end.sequence}, before the ${describeDigest(this.last)}: entries were cut off`);
  }
}

/** Why an entry does not follow `previous` as entry number `expected`, if it does not. */
function linkFault(entry: Entry, expected: number, previous: ChainHead): Failure | undefined {
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
  return entryFault(entry);
}

/** Whether an entry's hash covers its contents. */
function entryFault(entry: Entry): Failure | undefined {
  if (!isHexHash(entry.previousHash) || !isHexHash(entry.hash)) return fail(entry.sequence, 'malformed entry');
  let hash: string;
  try {
    hash = entryHash(entry.sequence, entry.previousHash, entry.record);
  } catch {
    return fail(entry.sequence, 'record cannot be serialized');
  }
  if (hash !== entry.hash) return fail(entry.sequence, 'hash does not match the contents: the entry was altered');
  return undefined;
}
