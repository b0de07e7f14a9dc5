import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { isHexHash, uint64, type ChainHead } from './hash-chain.js';

/**
 * A signed statement of the chain's head at some moment. Entries written up
 * to `sequence` can no longer be cut off, rewritten or reordered without a
 * verifier noticing, even by someone able to rewrite the whole log, as long as
 * they do not hold the signing key.
 *
 * As CloudTrail's digest files do (previousDigestHashValue,
 * previousDigestSignature), each digest names the one before it: the digests
 * form a chain of their own, so that none can be removed from between two
 * others unnoticed, and a digest kept elsewhere vouches for every digest (and
 * so every entry) before it. Version 2, the Ed25519 signature (base64) is over:
 *
 *   "coffer-audit-digest-v2" || 0x00
 *   || sequence as 8 bytes big-endian
 *   || hash as its 32 raw bytes
 *   || previousDigestHash as its 32 raw bytes (32 zero bytes for the first digest)
 *   || previousDigestSignature's length as 1 byte, then its raw bytes (none for the first)
 *   || intervalSeconds as 4 bytes big-endian
 *   || UTF-8 time (ISO 8601 UTC, milliseconds)
 *
 * Version 1 (written before digests were chained) signed only
 * "coffer-audit-digest-v1" || 0x00 || sequence || hash || time; such digests
 * still verify, and the first version 2 digest names the last of them. The
 * labels keep a digest signature from being valid for anything else the
 * same key might sign, or for the other version.
 */
export interface Digest extends ChainHead {
  /** When the digest was signed. */
  time: string;
  signature: string;
  version: 1 | 2;
  /** SHA-256 (hex) of the previous digest (see digestHash); null for the first. Version 2 only. */
  previousDigestHash?: string | null;
  /** The previous digest's signature; null for the first. Version 2 only. */
  previousDigestSignature?: string | null;
  /** How often the signer promised a digest while it has entries to cover. Version 2 only. */
  intervalSeconds?: number;
}

const LABELS = { 1: Buffer.from('coffer-audit-digest-v1\0'), 2: Buffer.from('coffer-audit-digest-v2\0') };
const NO_HASH = Buffer.alloc(32);

function signedBytes(digest: Omit<Digest, 'signature'>): Buffer {
  const head = [LABELS[digest.version], uint64(digest.sequence), Buffer.from(digest.hash, 'hex')];
  if (digest.version === 1) return Buffer.concat([...head, Buffer.from(digest.time, 'utf8')]);
  const previousSignature = digest.previousDigestSignature ? Buffer.from(digest.previousDigestSignature, 'base64') : Buffer.alloc(0);
  const interval = Buffer.alloc(4);
  interval.writeUInt32BE(digest.intervalSeconds ?? 0);
  return Buffer.concat([
    ...head,
    digest.previousDigestHash ? Buffer.from(digest.previousDigestHash, 'hex') : NO_HASH,
    Buffer.from([previousSignature.length]),
    previousSignature,
    interval,
    Buffer.from(digest.time, 'utf8'),
  ]);
}

export interface SignOptions {
  time?: Date;
  /** The newest digest before this one, which this one names. */
  previous?: Digest;
  intervalSeconds: number;
}

/** Signs a head with an Ed25519 private key, chained to the previous digest; keeping the key is the caller's business. */
export function signDigest(head: ChainHead, privateKey: KeyObject, options: SignOptions): Digest {
  if (!Number.isSafeInteger(head.sequence) || head.sequence < 0) throw new RangeError(`bad sequence ${head.sequence}`);
  if (!isHexHash(head.hash)) throw new RangeError('hash is not a hex SHA-256');
  if (!Number.isInteger(options.intervalSeconds) || options.intervalSeconds < 0 || options.intervalSeconds > 0xffffffff) {
    throw new RangeError(`bad interval ${options.intervalSeconds}`);
  }
  const unsigned: Omit<Digest, 'signature'> = {
    version: 2,
    sequence: head.sequence,
    hash: head.hash,
    time: (options.time ?? new Date()).toISOString(),
    previousDigestHash: options.previous ? digestHash(options.previous) : null,
    previousDigestSignature: options.previous?.signature ?? null,
    intervalSeconds: options.intervalSeconds,
  };
  return { ...unsigned, signature: sign(null, signedBytes(unsigned), privateKey).toString('base64') };
}

/** Whether the digest is well formed and was signed by the holder of the key matching this Ed25519 public key. */
export function verifyDigest(digest: Digest, publicKey: KeyObject): boolean {
  if (!isWellFormed(digest)) return false;
  return verify(null, signedBytes(digest), publicKey, Buffer.from(digest.signature, 'base64'));
}

function isWellFormed(digest: Digest): boolean {
  if (!Number.isSafeInteger(digest.sequence) || digest.sequence < 0) return false;
  if (!isHexHash(digest.hash) || typeof digest.time !== 'string' || typeof digest.signature !== 'string') return false;
  if (digest.version === 1) return true;
  if (digest.version !== 2) return false;
  const first = digest.previousDigestHash === null && digest.previousDigestSignature === null;
  const chained = isHexHash(digest.previousDigestHash) && typeof digest.previousDigestSignature === 'string';
  return (first || chained) && Number.isInteger(digest.intervalSeconds);
}

/** What the next digest names as previousDigestHash: SHA-256 (hex) of what this one signs and its signature. */
export function digestHash(digest: Digest): string {
  return createHash('sha256').update(signedBytes(digest)).update(Buffer.from(digest.signature, 'base64')).digest('hex');
}

/** How a digest is named in a verifier's reasons. */
export function describeDigest(digest: Digest): string {
  return `digest of sequence ${digest.sequence} signed at ${digest.time}`;
}
