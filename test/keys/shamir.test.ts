import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { combineShares, decodeShare, encodeShare, splitSecret } from '../../src/keys/shamir.js';

test('every subset of threshold shares rebuilds the secret; a smaller one is refused', () => {
  const secret = randomBytes(32);
  const shares = splitSecret(secret, 5, 3);
  for (let a = 0; a < 5; a++)
    for (let b = a + 1; b < 5; b++)
      for (let c = b + 1; c < 5; c++) assert.deepEqual(combineShares([shares[a]!, shares[b]!, shares[c]!]), secret);
  assert.throws(() => combineShares(shares.slice(0, 2)), /3 shares are needed, 2 given/);
});

test('threshold-1 shares do not determine the secret: the same shares fit another secret', () => {
  // With K-1 shares fixed, every value of the secret byte stays possible: check by adding a
  // third share chosen so that the rebuilt secret is anything we like.
  const shares = splitSecret(Buffer.from([42]), 3, 2);
  const seen = new Set<number>();
  for (let y = 0; y < 256; y++) seen.add(combineShares([shares[0]!, { threshold: 2, x: 7, data: Buffer.from([y]) }])[0]!);
  assert.equal(seen.size, 256);
});

test('shares are not the secret and differ between splits of the same secret', () => {
  const secret = randomBytes(32);
  const one = splitSecret(secret, 3, 2);
  const two = splitSecret(secret, 3, 2);
  for (const share of one) assert.notDeepEqual(share.data, secret);
  assert.notDeepEqual(one[0]!.data, two[0]!.data);
});

test('encoded shares round-trip; a mistyped or foreign one is refused', () => {
  const [share] = splitSecret(randomBytes(32), 3, 2);
  const text = encodeShare(share!);
  assert.deepEqual(decodeShare(text), share);
  const typo = text.slice(0, 20) + (text[20] === 'A' ? 'B' : 'A') + text.slice(21);
  assert.throws(() => decodeShare(typo), /mistyped/);
  assert.throws(() => decodeShare('hello'), /not a Coffer unseal share/);
});

test('a share given twice, or shares of two different splits, are refused', () => {
  const a = splitSecret(randomBytes(32), 3, 2);
  const b = splitSecret(randomBytes(32), 3, 3);
  assert.throws(() => combineShares([a[0]!, a[0]!]), /twice/);
  assert.throws(() => combineShares([b[0]!, a[1]!, b[2]!]), /same split/);
});

test('invalid split parameters are refused', () => {
  assert.throws(() => splitSecret(randomBytes(32), 3, 1), /at least 2/);
  assert.throws(() => splitSecret(randomBytes(32), 2, 3), /between the threshold and 255/);
});
