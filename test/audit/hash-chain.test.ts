import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { canonicalJson } from '../../src/audit/canonical-json.js';
import { appendEntries, entryHash, GENESIS_HEAD, headAfter } from '../../src/audit/hash-chain.js';
import { digestHash, signDigest, verifyDigest } from '../../src/audit/digest.js';
import { sampleRecord, signV1Digest } from './chain-fixture.js';

test('canonical JSON sorts keys at every depth and drops undefined members', () => {
  const a = { b: 1, a: { d: [3, { z: 1, y: 'é' }], c: null }, u: undefined };
  const b = { a: { c: null, d: [3, { y: 'é', z: 1 }] }, b: 1 };
  assert.equal(canonicalJson(a), '{"a":{"c":null,"d":[3,{"y":"é","z":1}]},"b":1}');
  assert.equal(canonicalJson(a), canonicalJson(b));
  assert.equal(canonicalJson(JSON.parse(canonicalJson(a))), canonicalJson(a));
  for (const bad of [NaN, Infinity, 1n, () => 1, { x: Symbol('s') }]) assert.throws(() => canonicalJson(bad), TypeError);
});

test('entry hashes follow the documented layout', () => {
  const record = sampleRecord(1);
  const expected = createHash('sha256')
    .update('coffer-audit-entry-v1\0')
    .update(Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]))
    .update(Buffer.from(GENESIS_HEAD.hash, 'hex'))
    .update(canonicalJson(record))
    .digest('hex');
  assert.equal(entryHash(1, GENESIS_HEAD.hash, record), expected);
  assert.equal(GENESIS_HEAD.hash, createHash('sha256').update('coffer-audit-genesis-v1').digest('hex'));
  assert.throws(() => entryHash(0, GENESIS_HEAD.hash, record), RangeError);
  assert.throws(() => entryHash(1, 'not-a-hash', record), RangeError);
});

test('the first entry follows genesis, and batches chain like single appends', () => {
  const records = Array.from({ length: 9 }, (_, i) => sampleRecord(i + 1));
  const whole = appendEntries(GENESIS_HEAD, records);
  assert.equal(whole[0].sequence, 1);
  assert.equal(whole[0].previousHash, GENESIS_HEAD.hash);
  whole.slice(1).forEach((entry, i) => {
    assert.equal(entry.sequence, i + 2);
    assert.equal(entry.previousHash, whole[i].hash);
  });

  let head = GENESIS_HEAD;
  const pieces = [];
  for (const batch of [records.slice(0, 1), records.slice(1, 5), [], records.slice(5)]) {
    const written = appendEntries(head, batch);
    pieces.push(...written);
    head = headAfter(head, written);
  }
  assert.deepEqual(pieces, whole);
  assert.deepEqual(head, { sequence: 9, hash: whole[8].hash });
  assert.deepEqual(appendEntries(head, []), []);
});

test('digests are Ed25519 signatures over the documented bytes, each naming the one before', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const [entry, second] = appendEntries(GENESIS_HEAD, [sampleRecord(1), sampleRecord(2)]);
  const first = signDigest(entry, privateKey, { time: new Date('2025-05-21T00:00:00.123Z'), intervalSeconds: 60 });
  assert.deepEqual(Object.keys(first).sort(), ['hash', 'intervalSeconds', 'previousDigestHash', 'previousDigestSignature', 'sequence', 'signature', 'time', 'version']);
  assert.equal(first.time, '2025-05-21T00:00:00.123Z');
  assert.equal(first.previousDigestHash, null);
  const bytes = Buffer.concat([
    Buffer.from('coffer-audit-digest-v2\0'),
    Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]),
    Buffer.from(entry.hash, 'hex'),
    Buffer.alloc(32),
    Buffer.from([0]),
    Buffer.from([0, 0, 0, 60]),
    Buffer.from(first.time),
  ]);
  assert.ok(verify(null, bytes, publicKey, Buffer.from(first.signature, 'base64')));
  assert.ok(verifyDigest(first, publicKey));
  assert.ok(!verifyDigest({ ...first, sequence: 2 }, publicKey));
  assert.ok(!verifyDigest(first, generateKeyPairSync('ed25519').publicKey));
  assert.ok(!verifyDigest({ ...first, hash: 'zz' }, publicKey));

  const next = signDigest(second, privateKey, { time: new Date('2025-05-21T00:01:00.000Z'), previous: first, intervalSeconds: 60 });
  const firstHash = createHash('sha256').update(bytes).update(Buffer.from(first.signature, 'base64')).digest('hex');
  assert.equal(next.previousDigestHash, firstHash);
  assert.equal(digestHash(first), firstHash);
  assert.equal(next.previousDigestSignature, first.signature);
  assert.ok(verifyDigest(next, publicKey));
  // The link is signed: pointing a digest at another predecessor breaks its signature.
  assert.ok(!verifyDigest({ ...next, previousDigestHash: '0'.repeat(64) }, publicKey));
});

test('version 1 digests (unchained, written by earlier versions) still verify, and cannot pass for version 2', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const [entry] = appendEntries(GENESIS_HEAD, [sampleRecord(1)]);
  const time = '2025-05-21T00:00:00.123Z';
  const bytes = Buffer.concat([Buffer.from('coffer-audit-digest-v1\0'), Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]), Buffer.from(entry.hash, 'hex'), Buffer.from(time)]);
  const old = signV1Digest(entry, privateKey, new Date(time));
  assert.ok(verify(null, bytes, publicKey, Buffer.from(old.signature, 'base64')));
  assert.ok(verifyDigest(old, publicKey));
  assert.ok(!verifyDigest({ ...old, version: 2, previousDigestHash: null, previousDigestSignature: null, intervalSeconds: 0 }, publicKey));
});
