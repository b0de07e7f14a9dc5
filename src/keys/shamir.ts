import { createHash, randomBytes } from 'node:crypto';

/**
 * Shamir's secret sharing over GF(2^8) (the AES field, polynomial 0x11b), byte
 * by byte: any `threshold` of the shares rebuild the secret, fewer say nothing
 * about it. A share is printed as `coffer-share-1.<K>.<x>.<data>.<check>`
 * (base64url): K the threshold, x the share's point, check the first bytes of
 * a SHA-256 of the rest, so that a mistyped share is refused on its own.
 */

const EXP = new Uint8Array(510);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    // Multiply by the generator 3: x*2 (reduced by 0x11b) xor x.
    x ^= (x << 1) ^ (x & 0x80 ? 0x11b : 0);
  }
  for (let i = 255; i < 510; i++) EXP[i] = EXP[i - 255]!;
}

function mul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!;
}

function div(a: number, b: number): number {
  return a === 0 ? 0 : EXP[LOG[a]! + 255 - LOG[b]!]!;
}

export interface Share {
  threshold: number;
  x: number;
  data: Buffer;
}

export class ShareError extends Error {}

export function splitSecret(secret: Buffer, shares: number, threshold: number): Share[] {
  if (!Number.isInteger(threshold) || threshold < 2) throw new ShareError('the threshold must be at least 2');
  if (!Number.isInteger(shares) || shares < threshold || shares > 255) throw new ShareError('the number of shares must be between the threshold and 255');
  const result = Array.from({ length: shares }, (_, i) => ({ threshold, x: i + 1, data: Buffer.alloc(secret.length) }));
  const coefficients = Buffer.alloc(threshold);
  for (let byte = 0; byte < secret.length; byte++) {
    coefficients[0] = secret[byte]!;
    randomBytes(threshold - 1).copy(coefficients, 1);
    for (const share of result) {
      // Horner's rule: the polynomial at x.
      let y = 0;
      for (let c = threshold - 1; c >= 0; c--) y = mul(y, share.x) ^ coefficients[c]!;
      share.data[byte] = y;
    }
  }
  coefficients.fill(0);
  return result;
}

/** Lagrange interpolation at 0 from `threshold` distinct shares. */
export function combineShares(shares: Share[]): Buffer {
  const threshold = shares[0]?.threshold ?? 0;
  if (shares.length < threshold || threshold < 2) throw new ShareError(`${threshold} shares are needed, ${shares.length} given`);
  const used = shares.slice(0, threshold);
  if (new Set(used.map((s) => s.x)).size !== used.length) throw new ShareError('the same share was given twice');
  if (used.some((s) => s.threshold !== threshold || s.data.length !== used[0]!.data.length)) {
    throw new ShareError('the shares do not belong to the same split');
  }
  const secret = Buffer.alloc(used[0]!.data.length);
  for (let i = 0; i < used.length; i++) {
    // The Lagrange basis polynomial of share i, at 0.
    let basis = 1;
    for (let j = 0; j < used.length; j++) {
      if (i !== j) basis = mul(basis, div(used[j]!.x, used[j]!.x ^ used[i]!.x));
    }
    for (let byte = 0; byte < secret.length; byte++) secret[byte] ^= mul(used[i]!.data[byte]!, basis);
  }
  return secret;
}

const PREFIX = 'coffer-share-1';

/**
 * What a server keeps to know its own shares: a share's digest. A share holds
 * 256 random bits, so its digest tells nothing of it, yet a forged share (the
 * encoding's checksum is unkeyed, anyone can make one) matches no digest.
 */
export function shareDigest(share: Share): string {
  return createHash('sha256').update(`${PREFIX}.${share.threshold}.${share.x}.`).update(share.data).digest('hex');
}

function checksum(body: string): string {
  return createHash('sha256').update(body).digest().subarray(0, 4).toString('base64url');
}

export function encodeShare(share: Share): string {
  const body = `${PREFIX}.${share.threshold}.${share.x}.${share.data.toString('base64url')}`;
  return `${body}.${checksum(body)}`;
}

export function decodeShare(text: string): Share {
  const parts = text.trim().split('.');
  const body = parts.slice(0, 4).join('.');
  if (parts.length !== 5 || parts[0] !== PREFIX || checksum(body) !== parts[4]) {
    throw new ShareError('this is not a Coffer unseal share, or it was mistyped');
  }
  return { threshold: Number(parts[1]), x: Number(parts[2]), data: Buffer.from(parts[3]!, 'base64url') };
}
