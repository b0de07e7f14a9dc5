import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileRootKeyProvider, PassphraseRootKeyProvider, RootKey } from '../../src/keys/root-key.js';

const dir = mkdtempSync(join(tmpdir(), 'coffer-root-key-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = (name: string) => join(dir, `${++n}-${name}`);

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
  const root = new RootKey(randomBytes(32));
  const sealed = root.seal(Buffer.from('material'), 'kms-key-material:k:1');
  assert.deepEqual(root.open(sealed, 'kms-key-material:k:1'), Buffer.from('material'));
  assert.throws(() => root.open(sealed, 'kms-key-material:k:2'));
  assert.throws(() => new RootKey(randomBytes(32)).open(sealed, 'kms-key-material:k:1'));
});

test('RootKey refuses a key that is not 32 bytes', () => {
  assert.throws(() => new RootKey(randomBytes(16)), /32 bytes/);
  assert.throws(() => new RootKey(Buffer.alloc(0)), /32 bytes/);
});

test('FileRootKeyProvider creates a 0600 key file once and loads the same key again', () => {
  const path = freshPath('root.key');
  const first = new FileRootKeyProvider(path).load();
  assert.equal(mode(path), 0o600);
  const content = readFileSync(path, 'utf8');
  assert.equal(Buffer.from(content.trim(), 'base64').length, 32);

  const second = new FileRootKeyProvider(path).load();
  assert.equal(readFileSync(path, 'utf8'), content, 'the file is not rewritten');
  assert.ok(sameKey(first, second));
  assert.ok(sameKey(second, first));
  assert.ok(new FileRootKeyProvider(path).description.includes(path));
});

test('FileRootKeyProvider: another file is another key', () => {
  const a = new FileRootKeyProvider(freshPath('a.key')).load();
  const b = new FileRootKeyProvider(freshPath('b.key')).load();
  assert.equal(sameKey(a, b), false);
});

test('FileRootKeyProvider tightens a key file that others can read', () => {
  const path = freshPath('loose.key');
  const bytes = randomBytes(32);
  writeFileSync(path, bytes.toString('base64') + '\n');
  chmodSync(path, 0o644);
  const loaded = new FileRootKeyProvider(path).load();
  assert.equal(mode(path), 0o600);
  assert.ok(sameKey(loaded, new RootKey(bytes)));
});

test('FileRootKeyProvider refuses a file that does not hold a 32-byte key', () => {
  const path = freshPath('short.key');
  writeFileSync(path, randomBytes(16).toString('base64'), { mode: 0o600 });
  assert.throws(() => new FileRootKeyProvider(path).load(), /32-byte/);
});

test('PassphraseRootKeyProvider: same passphrase and salt file, same key; another passphrase, another key', () => {
  const salt = freshPath('salt');
  const first = new PassphraseRootKeyProvider('correct horse battery staple', salt).load();
  assert.equal(mode(salt), 0o600);
  const saltContent = readFileSync(salt, 'utf8');
  assert.equal(Buffer.from(saltContent.trim(), 'base64').length, 16);

  const again = new PassphraseRootKeyProvider('correct horse battery staple', salt).load();
  assert.equal(readFileSync(salt, 'utf8'), saltContent, 'the salt is kept');
  assert.ok(sameKey(first, again));

  const otherPassphrase = new PassphraseRootKeyProvider('correct horse battery stapler', salt).load();
  assert.equal(sameKey(first, otherPassphrase), false);
});

test('PassphraseRootKeyProvider: the same passphrase with another salt is another key', () => {
  const a = new PassphraseRootKeyProvider('passphrase', freshPath('salt-a')).load();
  const b = new PassphraseRootKeyProvider('passphrase', freshPath('salt-b')).load();
  assert.equal(sameKey(a, b), false);
});
