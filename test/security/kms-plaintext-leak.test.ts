/**
 * The KMS API writes no plaintext anywhere: what is encrypted, data keys it
 * hands out, random bytes, and its own key material (unwrapped here with the
 * root key, to be searched for) appear in neither the database files, the
 * log, nor stderr, raw or base64.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateRandomCommand,
  KMSClient,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import { clientConfig, startServer } from '../support/coffer-server.js';
import { FileRootKeyProvider } from '../../src/keys/root-key-providers.js';
import { materialPurpose } from '../../src/keys/key-service.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';

test('no KMS plaintext, data key, random output or key material is written in the clear', async () => {
  const server = await startServer();
  const kms = new KMSClient(clientConfig(server));
  const secrets: Buffer[] = [];
  const text = (label: string) => {
    const value = Buffer.from(`coffer-kms-leak-${label}-${randomUUID()}`);
    secrets.push(value);
    return value;
  };
  const keyA = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  const keyB = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyA }));

  const encrypted = await kms.send(new EncryptCommand({ KeyId: keyA, Plaintext: text('encrypt'), EncryptionContext: { app: 'leak' } }));
  await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { app: 'leak' } }));
  await kms.send(new ReEncryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, SourceEncryptionContext: { app: 'leak' }, DestinationKeyId: keyB }));
  await assert.rejects(kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { app: 'wrong' } })));
  await assert.rejects(kms.send(new EncryptCommand({ KeyId: randomUUID(), Plaintext: text('refused') })));
  const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: keyB, KeySpec: 'AES_256' }));
  secrets.push(Buffer.from(dataKey.Plaintext!));
  secrets.push(Buffer.from((await kms.send(new GenerateRandomCommand({ NumberOfBytes: 64 }))).Plaintext!));
  kms.destroy();
  assert.equal(await server.stop(), 0);

  // The key material, unwrapped from the stopped server's database with its root key.
  const rootKey = await new FileRootKeyProvider().open(readFileSync(join(server.dataDir, 'root-key'), 'utf8'));
  const storage = SqliteStorage.open(join(server.dataDir, 'coffer.db'));
  let materials = 0;
  for (const m of await storage.keys.allMaterials(undefined, 1000)) {
    secrets.push(rootKey.open(m.wrapped, materialPurpose(m.keyId, m.version)));
    materials++;
  }
  await storage.close();
  assert.equal(materials, 3, 'the keys and the rotation left material to search for');

  const haystacks: [string, Buffer][] = [
    ...['coffer.db', 'coffer.db-wal', 'audit.db', 'audit.db-wal'].map((f) => join(server.dataDir, f)).filter(existsSync).map((f): [string, Buffer] => [f, readFileSync(f)]),
    ['log', readFileSync(server.logFile)],
    ['stderr', Buffer.from(server.stderr())],
  ];
  for (const secret of secrets) {
    for (const needle of [secret, Buffer.from(secret.toString('base64')), Buffer.from(secret.toString('hex'))]) {
      for (const [where, bytes] of haystacks) assert.equal(bytes.indexOf(needle), -1, `a plaintext is in ${where}`);
    }
  }
});
