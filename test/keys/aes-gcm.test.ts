import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { open, seal } from '../../src/keys/aes-gcm.js';

const key = randomBytes(32);
const aad = Buffer.from('context');
const plaintext = Buffer.from('{"username":"app","password":"hunter2"}');

test('seal then open gives the plaintext back', () => {
  const sealed = seal(key, plaintext, aad);
  assert.deepEqual(open(key, sealed, aad), plaintext);
});

test('sealed = 12-byte iv | 16-byte tag | ciphertext as long as the plaintext, without the plaintext in it', () => {
  const sealed = seal(key, plaintext, aad);
  assert.equal(sealed.length, 12 + 16 + plaintext.length);
  assert.equal(sealed.includes(plaintext), false);
});

test('an empty plaintext and an empty AAD round-trip', () => {
  const sealed = seal(key, Buffer.alloc(0), Buffer.alloc(0));
  assert.equal(sealed.length, 28);
  assert.deepEqual(open(key, sealed, Buffer.alloc(0)), Buffer.alloc(0));
});

test('every seal uses a fresh nonce', () => {
  const a = seal(key, plaintext, aad);
  const b = seal(key, plaintext, aad);
  assert.notDeepEqual(a.subarray(0, 12), b.subarray(0, 12));
  assert.notDeepEqual(a, b);
});

test('the wrong key fails', () => {
  const sealed = seal(key, plaintext, aad);
  assert.throws(() => open(randomBytes(32), sealed, aad));
});

test('the wrong AAD fails, including a missing one', () => {
  const sealed = seal(key, plaintext, aad);
  assert.throws(() => open(key, sealed, Buffer.from('contexT')));
  assert.throws(() => open(key, sealed, Buffer.alloc(0)));
  assert.throws(() => open(key, seal(key, plaintext, Buffer.alloc(0)), aad));
});

test('a flipped bit anywhere (iv, tag or ciphertext) fails', () => {
  const sealed = seal(key, plaintext, aad);
  for (const index of [0, 11, 12, 27, 28, sealed.length - 1]) {
    const damaged = Buffer.from(sealed);
    damaged[index]! ^= 0x01;
    assert.throws(() => open(key, damaged, aad), `byte ${index}`);
  }
});

test('truncated data fails', () => {
  const sealed = seal(key, plaintext, aad);
  assert.throws(() => open(key, sealed.subarray(0, sealed.length - 1), aad));
  assert.throws(() => open(key, sealed.subarray(0, 27), aad), /too short/);
  assert.throws(() => open(key, Buffer.alloc(0), aad), /too short/);
});

test('a key that is not 32 bytes is refused', () => {
  assert.throws(() => seal(randomBytes(16), plaintext, aad));
});
