// The AWS Encryption SDK for JavaScript (@aws-crypto/client-node) with its KMS
// keyring pointed at a live server: envelope encryption of whole messages with
// Coffer keys, as an application using the SDK would do it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';
import { DisableKeyCommand, EnableKeyCommand, KMS } from '@aws-sdk/client-kms';
import { clientConfig } from '../support/coffer-server.js';
import { aliasArnOf, createKey, createKeyWithAlias, sharedKmsServer, type Key } from '../support/kms-client.js';

const shared = sharedKmsServer();
const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

/**
 * The client the keyrings use, made once the server is up. The keyring calls
 * encrypt/generateDataKey/decrypt methods, which the aggregated KMS client has.
 */
let kms: KMS | undefined;
after(() => kms?.destroy());

/** A KMS keyring whose clients, for every region, talk to the test server. */
function keyring(options: { generatorKeyId?: string; keyIds?: string[]; discovery?: true }): KmsKeyringNode {
  return new KmsKeyringNode({ ...options, clientProvider: () => (kms ??= new KMS(clientConfig(shared.server))) });
}

const CONTEXT = { tenant: 'acme', purpose: 'invoice-export' };
const MESSAGE = Buffer.from('line 1: total 42.00 EUR\nline 2: paid\n'.repeat(200));

/** Asserts that every pair of `expected` is in the message's encryption context. */
function assertContextKept(actual: Record<string, string>, expected: Record<string, string>): void {
  for (const [k, v] of Object.entries(expected)) assert.equal(actual[k], v, `encryption context ${k}`);
}

test('encrypt with a key ARN as generator, decrypt with the same keyring: plaintext and context round-trip', async () => {
  const key = await createKey(shared.kms);
  const ring = keyring({ generatorKeyId: key.Arn });
  const { result, messageHeader } = await encrypt(ring, MESSAGE, { encryptionContext: CONTEXT });
  assert.ok(!Buffer.from(result).includes(MESSAGE.subarray(0, 24)), 'plaintext visible in the message');
  // One data key, wrapped by the Coffer key, named by its ARN.
  assert.equal(messageHeader.encryptedDataKeys.length, 1);
  assert.equal(messageHeader.encryptedDataKeys[0]!.providerId, 'aws-kms');
  assert.equal(messageHeader.encryptedDataKeys[0]!.providerInfo, key.Arn);

  const opened = await decrypt(ring, result);
  assert.deepEqual(Buffer.from(opened.plaintext), MESSAGE);
  assertContextKept(opened.messageHeader.encryptionContext, CONTEXT);
});

test('encrypt through an alias ARN: the data key is recorded under the key ARN, which decrypts it', async () => {
  const { key, alias } = await createKeyWithAlias(shared.kms, 'esdk-alias');
  const { result, messageHeader } = await encrypt(keyring({ generatorKeyId: aliasArnOf(alias) }), MESSAGE, { encryptionContext: CONTEXT });
  assert.equal(messageHeader.encryptedDataKeys[0]!.providerInfo, key.Arn);
  const opened = await decrypt(keyring({ keyIds: [key.Arn] }), result);
  assert.deepEqual(Buffer.from(opened.plaintext), MESSAGE);
  assertContextKept(opened.messageHeader.encryptionContext, CONTEXT);
});

test('a discovery keyring decrypts any message whose data key a Coffer key wrapped', async () => {
  const key = await createKey(shared.kms);
  const { result } = await encrypt(keyring({ generatorKeyId: key.Arn }), MESSAGE, { encryptionContext: CONTEXT });
  const opened = await decrypt(keyring({ discovery: true }), result);
  assert.deepEqual(Buffer.from(opened.plaintext), MESSAGE);
});

test('a message for two keys (generator + Encrypt under a second key) decrypts with either alone', async () => {
  const first = await createKey(shared.kms);
  const second = await createKey(shared.kms);
  const { result, messageHeader } = await encrypt(keyring({ generatorKeyId: first.Arn, keyIds: [second.Arn] }), MESSAGE, {
    encryptionContext: CONTEXT,
  });
  assert.deepEqual(messageHeader.encryptedDataKeys.map((k) => k.providerInfo).sort(), [first.Arn, second.Arn].sort());
  for (const key of [first, second]) {
    const opened = await decrypt(keyring({ keyIds: [key.Arn] }), result);
    assert.deepEqual(Buffer.from(opened.plaintext), MESSAGE, key.Arn);
  }
});

test('a keyring for another key cannot decrypt the message', async () => {
  const key = await createKey(shared.kms);
  const stranger = await createKey(shared.kms);
  const { result } = await encrypt(keyring({ generatorKeyId: key.Arn }), MESSAGE);
  await assert.rejects(decrypt(keyring({ keyIds: [stranger.Arn] }), result));
});

test('after DisableKey the message no longer decrypts, with KMS\'s DisabledException; after EnableKey it does', async () => {
  const key: Key = await createKey(shared.kms);
  const ring = keyring({ generatorKeyId: key.Arn });
  const { result } = await encrypt(ring, MESSAGE, { encryptionContext: CONTEXT });
  await shared.kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
  await assert.rejects(decrypt(ring, result), (error: Error) => {
    assert.match(error.message, /DisabledException/);
    assert.ok(error.message.includes(`${key.Arn} is disabled.`), error.message);
    return true;
  });
  await assert.rejects(encrypt(ring, MESSAGE), /DisabledException/);
  await shared.kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
  assert.deepEqual(Buffer.from((await decrypt(ring, result)).plaintext), MESSAGE);
});
