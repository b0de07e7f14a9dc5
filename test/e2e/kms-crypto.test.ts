// KMS cryptographic operations with @aws-sdk/client-kms against a live server:
// Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext), GenerateRandom,
// encryption context as AAD, tampered ciphertexts and DryRun.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DecryptCommand,
  DisableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandomCommand,
  ReEncryptCommand,
  ScheduleKeyDeletionCommand,
  type DecryptCommandInput,
} from '@aws-sdk/client-kms';
import { rejectsWith, type SdkError } from '../support/sdk-errors.js';
import { rawClientFor } from '../support/raw-client.js';
import {
  KEY_MATERIAL_ID,
  KmsMessages,
  buf,
  keyArnOf,
  createKey,
  createKeyWithAlias,
  keyIdentifiers,
  sharedKmsServer,
  utf8,
  type Key,
} from '../support/kms-client.js';

const shared = sharedKmsServer();

const CONTEXT = { SecretARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:app-AbCdEf', purpose: 'test' };

async function encrypt(keyId: string, plaintext: Uint8Array, context?: Record<string, string>): Promise<Uint8Array> {
  const out = await shared.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext, EncryptionContext: context }));
  return out.CiphertextBlob!;
}

const decrypt = (input: DecryptCommandInput) => shared.kms.send(new DecryptCommand(input));

/** Asserts `blob` decrypts (with `context`, no KeyId) to `plaintext` under `key`. */
async function assertDecryptsTo(blob: Uint8Array, plaintext: Uint8Array, key: Key, context?: Record<string, string>): Promise<void> {
  const out = await decrypt({ CiphertextBlob: blob, EncryptionContext: context });
  assert.deepEqual(buf(out.Plaintext), Buffer.from(plaintext));
  assert.equal(out.KeyId, key.Arn);
}

/** A copy of `blob` with one bit flipped at `index` (negative counts from the end). */
function flipped(blob: Uint8Array, index: number): Uint8Array {
  const copy = Uint8Array.from(blob);
  copy[index < 0 ? copy.length + index : index]! ^= 0x01;
  return copy;
}

// --- Encrypt / Decrypt ------------------------------------------------------------------------

test('Encrypt through each key identifier answers the key ARN; Decrypt needs no KeyId', async () => {
  const { key, alias } = await createKeyWithAlias(shared.kms, 'encrypt-forms');
  for (const [form, keyId] of Object.entries(keyIdentifiers(key, alias))) {
    const plaintext = utf8(`hello via ${form}`);
    const out = await shared.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext }));
    assert.equal(out.KeyId, key.Arn, form);
    assert.equal(out.EncryptionAlgorithm, 'SYMMETRIC_DEFAULT', form);
    assert.ok(out.CiphertextBlob!.length > plaintext.length, `${form}: ciphertext no longer than the plaintext`);
    assert.ok(!Buffer.from(out.CiphertextBlob!).includes(Buffer.from(plaintext)), `${form}: plaintext visible in the blob`);

    const opened = await decrypt({ CiphertextBlob: out.CiphertextBlob });
    assert.deepEqual(buf(opened.Plaintext), Buffer.from(plaintext), form);
    assert.equal(opened.KeyId, key.Arn, form);
    assert.equal(opened.EncryptionAlgorithm, 'SYMMETRIC_DEFAULT', form);
    assert.equal(opened.KeyMaterialId, key.CurrentKeyMaterialId, form);
  }
});

test('Encrypt is randomised: the same plaintext twice gives two ciphertexts', async () => {
  const key = await createKey(shared.kms);
  const a = await encrypt(key.KeyId, utf8('same'));
  const b = await encrypt(key.KeyId, utf8('same'));
  assert.notDeepEqual(Buffer.from(a), Buffer.from(b));
});

test('Decrypt with the right KeyId in every form succeeds', async () => {
  const { key, alias } = await createKeyWithAlias(shared.kms, 'decrypt-forms');
  const blob = await encrypt(key.KeyId, utf8('named'));
  for (const [form, keyId] of Object.entries(keyIdentifiers(key, alias))) {
    const out = await decrypt({ CiphertextBlob: blob, KeyId: keyId });
    assert.equal(Buffer.from(out.Plaintext!).toString(), 'named', form);
    assert.equal(out.KeyId, key.Arn, form);
  }
});

test('Decrypt naming another key is IncorrectKeyException', async () => {
  const key = await createKey(shared.kms);
  const { key: other, alias } = await createKeyWithAlias(shared.kms, 'incorrect');
  const blob = await encrypt(key.KeyId, utf8('x'));
  for (const keyId of Object.values(keyIdentifiers(other, alias))) {
    await rejectsWith(decrypt({ CiphertextBlob: blob, KeyId: keyId }), 'IncorrectKeyException', KmsMessages.incorrectKey);
  }
});

test('Encrypt takes 1 to 4096 bytes: 4096 round-trips, 4097 and 0 are ValidationException', async () => {
  const key = await createKey(shared.kms);
  const max = new Uint8Array(4096).map((_, i) => i % 251);
  await assertDecryptsTo(await encrypt(key.KeyId, max), max, key);
  await rejectsWith(
    encrypt(key.KeyId, new Uint8Array(4097)),
    'ValidationException',
    "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
  );
  await rejectsWith(encrypt(key.KeyId, new Uint8Array(0)), 'ValidationException');
});

test('Encrypt with an unknown key is NotFoundException', async () => {
  await rejectsWith(encrypt('alias/no-such-alias', utf8('x')), 'NotFoundException');
  await rejectsWith(encrypt('fake-key-id', utf8('x')), 'NotFoundException', KmsMessages.invalidKeyId('fake-key-id'));
  const missingMrk = 'mrk-0123456789abcdef0123456789abcdef';
  await rejectsWith(encrypt(missingMrk, utf8('x')), 'NotFoundException', KmsMessages.keyNotFound(keyArnOf(missingMrk)));
});

// --- Encryption context -----------------------------------------------------------------------

test('encryption context: the same pairs in any order decrypt; missing, extra or changed pairs are InvalidCiphertextException', async () => {
  const key = await createKey(shared.kms);
  const blob = await encrypt(key.KeyId, utf8('bound'), CONTEXT);
  await assertDecryptsTo(blob, utf8('bound'), key, CONTEXT);
  await assertDecryptsTo(blob, utf8('bound'), key, { purpose: CONTEXT.purpose, SecretARN: CONTEXT.SecretARN });

  const wrong: Array<[string, Record<string, string> | undefined]> = [
    ['no context', undefined],
    ['empty context', {}],
    ['a pair missing', { SecretARN: CONTEXT.SecretARN }],
    ['an extra pair', { ...CONTEXT, extra: 'x' }],
    ['another value', { ...CONTEXT, purpose: 'other' }],
    ['a key in another case', { SecretARN: CONTEXT.SecretARN, Purpose: CONTEXT.purpose }],
    ['a value in another case', { ...CONTEXT, purpose: 'TEST' }],
  ];
  for (const [what, context] of wrong) {
    await assert.rejects(decrypt({ CiphertextBlob: blob, EncryptionContext: context }), (error: SdkError) => {
      assert.equal(error.name, 'InvalidCiphertextException', `${what}: ${error.name}: ${error.message}`);
      assert.equal(error.$metadata?.httpStatusCode, 400, what);
      return true;
    });
  }
});

test('InvalidCiphertextException has no message member in its body, as AWS sends it', async () => {
  const key = await createKey(shared.kms);
  const blob = Buffer.from(await encrypt(key.KeyId, utf8('bound'), CONTEXT)).toString('base64');
  const r = await rawClientFor(shared.server).call('TrentService.Decrypt', { CiphertextBlob: blob, EncryptionContext: { purpose: 'other' } }, { sign: { service: 'kms' } });
  assert.equal(r.status, 400, r.text);
  assert.deepEqual(r.json, { __type: 'InvalidCiphertextException' });
});

test('a ciphertext made without context decrypts with none or an empty map, not with one', async () => {
  const key = await createKey(shared.kms);
  const blob = await encrypt(key.KeyId, utf8('free'));
  await assertDecryptsTo(blob, utf8('free'), key);
  await assertDecryptsTo(blob, utf8('free'), key, {});
  await rejectsWith(decrypt({ CiphertextBlob: blob, EncryptionContext: { a: 'b' } }), 'InvalidCiphertextException');
});

test('a tampered or foreign ciphertext is InvalidCiphertextException', async () => {
  const key = await createKey(shared.kms);
  const blob = await encrypt(key.KeyId, utf8('pristine'));
  for (const index of [0, Math.floor(blob.length / 2), -1]) {
    await rejectsWith(decrypt({ CiphertextBlob: flipped(blob, index) }), 'InvalidCiphertextException');
  }
  await rejectsWith(decrypt({ CiphertextBlob: blob.subarray(0, blob.length - 1) }), 'InvalidCiphertextException');
  await rejectsWith(decrypt({ CiphertextBlob: utf8('this is not a ciphertext blob at all, just some bytes') }), 'InvalidCiphertextException');
  // What a real AWS KMS blob starts with: a local server cannot open it.
  await rejectsWith(decrypt({ CiphertextBlob: Buffer.from('AQICAHh4ZXhhbXBsZWV4YW1wbGVleGFtcGxlZXhhbXBsZQ==', 'base64') }), 'InvalidCiphertextException');
});

// --- Key state in crypto operations ---------------------------------------------------------

test('Decrypt and ReEncrypt without a CiphertextBlob are ValidationException "CiphertextBlob is required."', async () => {
  const key = await createKey(shared.kms);
  await rejectsWith(decrypt({}), 'ValidationException', 'CiphertextBlob is required.');
  await rejectsWith(shared.kms.send(new ReEncryptCommand({ DestinationKeyId: key.KeyId })), 'ValidationException', 'CiphertextBlob is required.');
});

test('a disabled key refuses every crypto operation with DisabledException "<ARN> is disabled."', async () => {
  const key = await createKey(shared.kms);
  const target = await createKey(shared.kms);
  const blob = await encrypt(key.KeyId, utf8('x'));
  const toDisabled = await encrypt(target.KeyId, utf8('y'));
  await shared.kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
  const message = KmsMessages.disabled(key.Arn);
  await rejectsWith(encrypt(key.KeyId, utf8('x')), 'DisabledException', message);
  await rejectsWith(decrypt({ CiphertextBlob: blob }), 'DisabledException', message);
  await rejectsWith(shared.kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' })), 'DisabledException', message);
  await rejectsWith(shared.kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' })), 'DisabledException', message);
  await rejectsWith(shared.kms.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: target.KeyId })), 'DisabledException', message);
  await rejectsWith(shared.kms.send(new ReEncryptCommand({ CiphertextBlob: toDisabled, DestinationKeyId: key.KeyId })), 'DisabledException', message);
});

test('a key pending deletion refuses crypto operations with KMSInvalidStateException "<ARN> is pending deletion."', async () => {
  const key = await createKey(shared.kms);
  const blob = await encrypt(key.KeyId, utf8('x'));
  await shared.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
  const message = KmsMessages.pendingDeletion(key.Arn);
  await rejectsWith(encrypt(key.KeyId, utf8('x')), 'KMSInvalidStateException', message);
  await rejectsWith(decrypt({ CiphertextBlob: blob }), 'KMSInvalidStateException', message);
  await rejectsWith(shared.kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes: 16 })), 'KMSInvalidStateException', message);
});

// --- ReEncrypt --------------------------------------------------------------------------------

test('ReEncrypt to another key: the result opens under the new key only, to the same plaintext', async () => {
  const source = await createKey(shared.kms);
  const { key: destination, alias } = await createKeyWithAlias(shared.kms, 'reencrypt-dest');
  const blob = await encrypt(source.KeyId, utf8('moving'), CONTEXT);

  const out = await shared.kms.send(
    new ReEncryptCommand({ CiphertextBlob: blob, SourceEncryptionContext: CONTEXT, DestinationKeyId: alias, DestinationEncryptionContext: CONTEXT }),
  );
  assert.equal(out.SourceKeyId, source.Arn);
  assert.equal(out.KeyId, destination.Arn);
  assert.equal(out.SourceEncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
  assert.equal(out.DestinationEncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
  assert.equal(out.SourceKeyMaterialId, source.CurrentKeyMaterialId);
  assert.equal(out.DestinationKeyMaterialId, destination.CurrentKeyMaterialId);

  await assertDecryptsTo(out.CiphertextBlob!, utf8('moving'), destination, CONTEXT);
  await rejectsWith(decrypt({ CiphertextBlob: out.CiphertextBlob, KeyId: source.KeyId, EncryptionContext: CONTEXT }), 'IncorrectKeyException');
  // The original is untouched.
  await assertDecryptsTo(blob, utf8('moving'), source, CONTEXT);
});

test('ReEncrypt to a new encryption context under the same key', async () => {
  const key = await createKey(shared.kms);
  const blob = await encrypt(key.KeyId, utf8('relabelled'), { stage: 'old' });
  const out = await shared.kms.send(
    new ReEncryptCommand({
      CiphertextBlob: blob,
      SourceKeyId: key.Arn,
      SourceEncryptionContext: { stage: 'old' },
      DestinationKeyId: key.KeyId,
      DestinationEncryptionContext: { stage: 'new' },
    }),
  );
  assert.equal(out.KeyId, key.Arn);
  await assertDecryptsTo(out.CiphertextBlob!, utf8('relabelled'), key, { stage: 'new' });
  await rejectsWith(decrypt({ CiphertextBlob: out.CiphertextBlob, EncryptionContext: { stage: 'old' } }), 'InvalidCiphertextException');
});

test('ReEncrypt checks the source: wrong SourceKeyId is IncorrectKeyException, wrong source context InvalidCiphertextException', async () => {
  const key = await createKey(shared.kms);
  const other = await createKey(shared.kms);
  const blob = await encrypt(key.KeyId, utf8('x'), CONTEXT);
  await rejectsWith(
    shared.kms.send(new ReEncryptCommand({ CiphertextBlob: blob, SourceKeyId: other.KeyId, SourceEncryptionContext: CONTEXT, DestinationKeyId: other.KeyId })),
    'IncorrectKeyException',
    KmsMessages.incorrectKey,
  );
  await rejectsWith(
    shared.kms.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: other.KeyId })),
    'InvalidCiphertextException',
  );
});

// --- GenerateDataKey / GenerateDataKeyWithoutPlaintext ---------------------------------------

test('GenerateDataKey: AES_256 is 32 bytes, AES_128 16, NumberOfBytes n; the blob decrypts to the plaintext', async () => {
  const { key, alias } = await createKeyWithAlias(shared.kms, 'datakey');
  const cases: Array<[string, { KeySpec?: 'AES_256' | 'AES_128'; NumberOfBytes?: number }, number]> = [
    ['AES_256', { KeySpec: 'AES_256' }, 32],
    ['AES_128', { KeySpec: 'AES_128' }, 16],
    ['1 byte', { NumberOfBytes: 1 }, 1],
    ['1024 bytes', { NumberOfBytes: 1024 }, 1024],
  ];
  for (const [what, spec, length] of cases) {
    const out = await shared.kms.send(new GenerateDataKeyCommand({ KeyId: alias, EncryptionContext: CONTEXT, ...spec }));
    assert.equal(out.Plaintext!.length, length, what);
    assert.equal(out.KeyId, key.Arn, what);
    assert.equal(out.KeyMaterialId, key.CurrentKeyMaterialId, what);
    await assertDecryptsTo(out.CiphertextBlob!, out.Plaintext!, key, CONTEXT);
    await rejectsWith(decrypt({ CiphertextBlob: out.CiphertextBlob }), 'InvalidCiphertextException');
  }
  const a = await shared.kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }));
  const b = await shared.kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }));
  assert.notDeepEqual(buf(a.Plaintext), buf(b.Plaintext), 'two data keys are the same');
});

test('GenerateDataKey with neither or both of KeySpec and NumberOfBytes, or a size out of 1-1024, is ValidationException', async () => {
  const key = await createKey(shared.kms);
  const bad = [{}, { KeySpec: 'AES_256' as const, NumberOfBytes: 32 }, { NumberOfBytes: 0 }, { NumberOfBytes: 1025 }];
  for (const spec of bad) {
    await rejectsWith(shared.kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, ...spec })), 'ValidationException');
    await rejectsWith(shared.kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, ...spec })), 'ValidationException');
  }
});

test('GenerateDataKeyWithoutPlaintext returns only the blob, which Decrypt opens to a key of the asked size', async () => {
  const key = await createKey(shared.kms);
  const out = await shared.kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.Arn, KeySpec: 'AES_256', EncryptionContext: CONTEXT }));
  assert.equal(out.KeyId, key.Arn);
  assert.equal((out as { Plaintext?: unknown }).Plaintext, undefined);
  assert.match(out.KeyMaterialId ?? '', KEY_MATERIAL_ID);
  const opened = await decrypt({ CiphertextBlob: out.CiphertextBlob, EncryptionContext: CONTEXT });
  assert.equal(opened.Plaintext!.length, 32);
});

// --- GenerateRandom ---------------------------------------------------------------------------

test('GenerateRandom returns 1 to 1024 fresh bytes', async () => {
  for (const n of [1, 32, 1024]) {
    const out = await shared.kms.send(new GenerateRandomCommand({ NumberOfBytes: n }));
    assert.equal(out.Plaintext!.length, n);
  }
  const a = await shared.kms.send(new GenerateRandomCommand({ NumberOfBytes: 32 }));
  const b = await shared.kms.send(new GenerateRandomCommand({ NumberOfBytes: 32 }));
  assert.notDeepEqual(buf(a.Plaintext), buf(b.Plaintext));
});

test('GenerateRandom without NumberOfBytes, or out of 1-1024, is ValidationException with the AWS message', async () => {
  await rejectsWith(shared.kms.send(new GenerateRandomCommand({})), 'ValidationException', 'NumberOfBytes is required.');
  await rejectsWith(
    shared.kms.send(new GenerateRandomCommand({ NumberOfBytes: 1025 })),
    'ValidationException',
    "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
  );
  await rejectsWith(
    shared.kms.send(new GenerateRandomCommand({ NumberOfBytes: 0 })),
    'ValidationException',
    "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
  );
});

// --- DryRun -----------------------------------------------------------------------------------

test('DryRun on a call that would succeed is DryRunOperationException, and does nothing', async () => {
  const key = await createKey(shared.kms);
  const blob = await encrypt(key.KeyId, utf8('x'));
  const calls = [
    () => shared.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: utf8('x'), DryRun: true })),
    () => decrypt({ CiphertextBlob: blob, DryRun: true }),
    () => shared.kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', DryRun: true })),
    () => shared.kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', DryRun: true })),
    () => shared.kms.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: key.KeyId, DryRun: true })),
  ];
  for (const call of calls) {
    await rejectsWith(call(), 'DryRunOperationException', KmsMessages.dryRun);
  }
});

test('DryRun on a call that would fail reports that failure instead', async () => {
  const key = await createKey(shared.kms);
  const blob = await encrypt(key.KeyId, utf8('x'), CONTEXT);
  await rejectsWith(decrypt({ CiphertextBlob: blob, DryRun: true }), 'InvalidCiphertextException');
  await shared.kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
  await rejectsWith(
    shared.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: utf8('x'), DryRun: true })),
    'DisabledException',
    KmsMessages.disabled(key.Arn),
  );
});
