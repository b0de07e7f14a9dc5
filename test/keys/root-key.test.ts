import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RootKey, RootKeyRing } from '../../src/keys/root-key.js';
import { RootKeyFiles } from '../../src/keys/root-key-files.js';
import { FileRootKeyProvider, PassphraseRootKeyProvider } from '../../src/keys/root-key-providers.js';
import { ServiceError } from '../../src/errors/service-error.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';

const root = mkdtempSync(join(tmpdir(), 'coffer-root-key-'));
after(() => rmSync(root, { recursive: true, force: true }));
const freshDir = () => mkdtempSync(join(root, 'd-'));

/** Whether two root keys are the same key: what one seals the other opens. */
function sameKey(a: RootKey, b: RootKey): boolean {
  const plaintext = randomBytes(32);
  try {
    return b.open(a.seal(plaintext, 'probe'), 'probe').equals(plaintext);
  } catch {
    return false;
  }
}

const mode = (path: string) => statSync(path).mode & 0o777;

test('RootKey seals and opens, bound to the purpose', () => {
  const key = new RootKey(randomBytes(32));
  const sealed = key.seal(Buffer.from('material'), 'kms-key-material:k:1');
  assert.deepEqual(key.open(sealed, 'kms-key-material:k:1'), Buffer.from('material'));
  assert.throws(() => key.open(sealed, 'kms-key-material:k:2'));
  assert.throws(() => new RootKey(randomBytes(32)).open(sealed, 'kms-key-material:k:1'));
});

test('RootKey refuses a key that is not 32 bytes', () => {
  assert.throws(() => new RootKey(randomBytes(16)), /32 bytes/);
  assert.throws(() => new RootKey(Buffer.alloc(0)), /32 bytes/);
});

test('a sealed RootKeyRing refuses to wrap or unwrap with a clear 503, and locking drops what was cached', async () => {
  const key = new RootKey(randomBytes(32));
  const ring = new RootKeyRing(key);
  const storage = SqliteStorage.open(':memory:');
  const sealed = await ring.sealIn(storage, Buffer.from('x'), 'p');
  let forgotten = 0;
  ring.whenLocked(() => forgotten++);
  ring.lock();
  assert.equal(ring.sealed, true);
  assert.equal(forgotten, 1);
  const sealedError = (e: unknown) => e instanceof ServiceError && e.status === 503 && /sealed/.test(e.message);
  assert.throws(() => ring.open(sealed, 'p'), sealedError);
  await assert.rejects(ring.sealIn(storage, Buffer.from('x'), 'p'), sealedError);
  const again = new RootKey(randomBytes(32));
  ring.unlock(again, 0);
  assert.equal(ring.sealed, false);
  assert.throws(() => ring.open(sealed, 'p'), 'another key does not open it');
});

test('FileRootKeyProvider: a new key and its state; the state opens the same key; another state, another key', async () => {
  const provider = new FileRootKeyProvider();
  const { key, state } = await provider.create();
  assert.equal(Buffer.from(state, 'base64').length, 32);
  assert.ok(sameKey(key, await provider.open(state)));
  assert.equal(sameKey(key, (await provider.create()).key), false);
  await assert.rejects(provider.open(randomBytes(16).toString('base64')), /32-byte/);
});

test('PassphraseRootKeyProvider: same passphrase and salt, same key; another passphrase or salt, another key', async () => {
  const provider = new PassphraseRootKeyProvider('correct horse battery staple');
  const { key, state: salt } = await provider.create();
  assert.equal(Buffer.from(salt, 'base64').length, 16);
  assert.ok(sameKey(key, await new PassphraseRootKeyProvider('correct horse battery staple').open(salt)));
  assert.equal(sameKey(key, await new PassphraseRootKeyProvider('correct horse battery stapler').open(salt)), false);
  assert.equal(sameKey(key, (await provider.create()).key), false);
  assert.throws(() => new PassphraseRootKeyProvider(''), /needs a passphrase/);
});

test('RootKeyFiles writes state files 0600, keeps a rotation\'s next state apart, promotes and removes', () => {
  const dir = freshDir();
  const files = new RootKeyFiles(dir);
  const provider = new FileRootKeyProvider();
  assert.equal(files.read(provider), undefined);
  files.write(provider, 'current');
  assert.equal(mode(join(dir, 'root-key')), 0o600);
  files.write(provider, 'next', true);
  assert.equal(files.read(provider), 'current');
  assert.equal(files.read(provider, true), 'next');
  files.promote(provider);
  assert.equal(files.read(provider), 'next');
  assert.equal(files.read(provider, true), undefined);
  files.remove(provider);
  assert.equal(existsSync(join(dir, 'root-key')), false);
});

test('RootKeyFiles tightens a state file that others can read', () => {
  const dir = freshDir();
  writeFileSync(join(dir, 'root-key'), 'state');
  chmodSync(join(dir, 'root-key'), 0o644);
  assert.equal(new RootKeyFiles(dir).read(new FileRootKeyProvider()), 'state');
  assert.equal(mode(join(dir, 'root-key')), 0o600);
  assert.equal(readFileSync(join(dir, 'root-key'), 'utf8'), 'state');
});
