// rotate-root on a server with --workers 2: the worker that did not rotate
// follows the new root key on its next request, without a restart, and never
// answers with the old one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { startServer } from '../support/coffer-server.js';
import { rawClientFor } from '../support/raw-client.js';
import { operatorOk } from '../support/operator-cli.js';
import type { TestServer } from '../support/coffer-server.js';

const READS = 50;

test('--workers 2: after rotate-root, 50 reads spread over both workers all return the value', async () => {
  const server = await startServer({ args: ['--workers', '2'] });
  try {
    const kms = (target: string, body: object) => rawClientFor(server).call(`TrentService.${target}`, body, { sign: { service: 'kms' } });
    // A customer key per secret: each first read after the rotation unwraps stored key material.
    const names: string[] = [];
    for (let i = 0; i < 5; i++) {
      const key = await kms('CreateKey', {});
      assert.equal(key.status, 200, key.text);
      const name = `rotated-${i}-${randomUUID().slice(0, 8)}`;
      const created = await rawClientFor(server).call('CreateSecret', { Name: name, SecretString: `value ${i}`, KmsKeyId: key.json.KeyMetadata.KeyId, ClientRequestToken: randomUUID() });
      assert.equal(created.status, 200, created.text);
      names.push(name);
    }
    await operatorOk(server, ['rotate-root']);
    for (let i = 0; i < READS; i++) {
      const name = names[i % names.length]!;
      const read = await rawClientFor(server).call('GetSecretValue', { SecretId: name });
      assert.equal(read.status, 200, `read ${i + 1} of ${READS}: ${read.text}`);
      assert.equal(read.json.SecretString, `value ${i % names.length}`);
    }
    // Wrapping under the new key works on every worker too.
    for (let i = 0; i < 6; i++) {
      const key = await kms('CreateKey', {});
      assert.equal(key.status, 200, key.text);
      const encrypted = await kms('Encrypt', { KeyId: key.json.KeyMetadata.KeyId, Plaintext: Buffer.from(`after ${i}`).toString('base64') });
      assert.equal(encrypted.status, 200, encrypted.text);
      const decrypted = await kms('Decrypt', { CiphertextBlob: encrypted.json.CiphertextBlob });
      assert.equal(Buffer.from(decrypted.json.Plaintext, 'base64').toString(), `after ${i}`, decrypted.text);
    }
  } finally {
    await server.stop();
    rmSync(dirname(server.dataDir), { recursive: true, force: true });
  }
});

test('--workers 2: rotate-root to a new passphrase: every worker is handed it and reads on; the passphrase reopens after a restart', async () => {
  let server: TestServer = await startServer({ args: ['--workers', '2'] });
  try {
    const name = `to-passphrase-${randomUUID().slice(0, 8)}`;
    const created = await rawClientFor(server).call('CreateSecret', { Name: name, SecretString: 'kept', ClientRequestToken: randomUUID() });
    assert.equal(created.status, 200, created.text);
    await operatorOk(server, ['rotate-root', '--to-provider', 'passphrase'], { COFFER_NEW_ROOT_PASSPHRASE: 'the new passphrase' });
    for (let i = 0; i < 20; i++) {
      const read = await rawClientFor(server).call('GetSecretValue', { SecretId: name });
      assert.equal(read.json?.SecretString, 'kept', `read ${i + 1} of 20: ${read.text}`);
      const status = await rawClientFor(server).call('CofferOperator.GetSealStatus', {}, { sign: false });
      assert.equal(status.json?.sealed, false, status.text);
    }
    assert.equal(await server.stop(), 0);
    server = await startServer({ dataDir: server.dataDir, args: ['--workers', '2', '--root-key-provider', 'passphrase'], env: { COFFER_ROOT_PASSPHRASE: 'the new passphrase' } });
    const read = await rawClientFor(server).call('GetSecretValue', { SecretId: name });
    assert.equal(read.json?.SecretString, 'kept', read.text);
  } finally {
    await server.stop();
    rmSync(dirname(server.dataDir), { recursive: true, force: true });
  }
});
