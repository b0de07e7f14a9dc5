import { sign, verify, type KeyObject } from 'node:crypto';
import { isHexHash, uint64, type ChainHead } from './hash-chain.js';

/**
 * A signed statement of the chain's head at some moment. Entries written up
 * to `sequence` can no longer be cut off, rewritten or reordered without a
 * verifier noticing, even by someone able to rewrite the whole log, as long as
 * they do not hold the signing key.
 *
 * The Ed25519 signature (base64) is over:
 *
 *   "coffer-audit-digest-v1" || 0x00
 *   || sequence as 8 bytes big-endian
 *   || hash as its 32 raw bytes
 *   || UTF-8 time (ISO 8601 UTC, milliseconds)
 *
 * The label keeps a digest signature from being valid for anything else the
 * same key might sign.
 */
export interface Digest extends ChainHead {
  /** When the digest was signed. */
  time: string;
  signature: string;
}

const DIGEST_LABEL = Buffer.from('coffer-audit-digest-v1\0');

function signedBytes(sequence: number, hash: string, time: string): Buffer {
  return Buffer.concat([DIGEST_LABEL, uint64(sequence), Buffer.from(hash, 'hex'), Buffer.from(time, 'utf8')]);
}

/** Signs a head with an Ed25519 private key; keeping the key is the caller's business. */
export function signDigest(head: ChainHead, privateKey: KeyObject, time: Date = new Date()): Digest {
  if (!Number.isSafeInteger(head.sequence) || head.sequence < 0) throw new RangeError(`bad sequence ${head.sequence}`);
  if (!isHexHash(head.hash)) throw new RangeError('hash is not a hex SHA-256');
  const at = time.toISOString();
  const signature = sign(null, signedBytes(head.sequence, head.hash, at), privateKey).toString('base64');
  return { sequence: head.sequence, hash: head.hash, time: at, signature };
}

/** Whether the digest was signed by the holder of the key matching this Ed25519 public key. */
export function verifyDigest(digest: Digest, publicKey: KeyObject): boolean {
  if (!Number.isSafeInteger(digest.sequence) || digest.sequence < 0) return false;
  if (!isHexHash(digest.hash) || typeof digest.time !== 'string' || typeof digest.signature !== 'string') return false;
  const bytes = signedBytes(digest.sequence, digest.hash, digest.time);
  return verify(null, bytes, publicKey, Buffer.from(digest.signature, 'base64'));
}

/** How a digest is named in a verifier's reasons. */
export function describeDigest(digest: Digest): string {
  return `digest of sequence ${digest.sequence} signed at ${digest.time}`;
}
