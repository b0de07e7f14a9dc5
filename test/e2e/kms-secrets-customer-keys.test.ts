// Secrets encrypted under customer-managed KMS keys, driven with both SDKs
// against one live server: naming the key, what DescribeSecret and
// ListSecretVersionIds show, what a disabled or doomed key does to reads and
// writes, and UpdateSecret moving a secret to another key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  UpdateSecretCommand,
  type GetSecretValueCommandInput,
} from '@aws-sdk/client-secrets-manager';
import {
  CancelKeyDeletionCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { NOT_FOUND, rejectsWith, uniqueName } from '../support/sdk-errors.js';
import {
  KmsMessages,
  aliasArnOf,
  createKey,
  createKeyWithAlias,
  keyArnOf,
  keyIdentifiers,
  sharedKmsServer,
  type Key,
} from '../support/kms-client.js';

const shared = sharedKmsServer();

/** A key with an alias, and every way of naming it. */
async function namedKey(prefix: string): Promise<{ key: Key; alias: string; names: string[] }> {
  const { key, alias } = await createKeyWithAlias(shared.kms, prefix);
  return { key, alias, names: Object.values(keyIdentifiers(key, alias)) };
}

/** Asserts that `ref` (a KmsKeyId Secrets Manager reports) names `key` in one of the accepted forms. */
function assertNamesKey(ref: string | undefined, names: string[], what: string): void {
  assert.ok(ref !== undefined && names.includes(ref), `${what}: ${ref} does not name the key (${names.join(', ')})`);
}

async function createSecret(kmsKeyId: string | undefined, value: string): Promise<{ name: string; arn: string; versionId: string }> {
  const name = uniqueName('cmk');
  const out = await shared.sm.send(new CreateSecretCommand({ Name: name, SecretString: value, KmsKeyId: kmsKeyId }));
  return { name, arn: out.ARN!, versionId: out.VersionId! };
}

async function put(name: string, value: string): Promise<string> {
  return (await shared.sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }))).VersionId!;
}

async function read(name: string, options: Omit<GetSecretValueCommandInput, 'SecretId'> = {}): Promise<string> {
  return (await shared.sm.send(new GetSecretValueCommand({ SecretId: name, ...options }))).SecretString!;
}

/** VersionId → KmsKeyIds of every version, deprecated ones included. */
async function versionKeys(name: string): Promise<Map<string, string[]>> {
  const out = await shared.sm.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
  return new Map(out.Versions!.map((v) => [v.VersionId!, v.KmsKeyIds ?? []]));
}

const disable = (key: Key) => shared.kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
const enable = (key: Key) => shared.kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));

/** Awaits a Secrets Manager call that must fail with `code` and a message that says why (`reason`). */
async function failsBecause(promise: Promise<unknown>, code: 'DecryptionFailure' | 'EncryptionFailure', reason: RegExp): Promise<void> {
  const error = await rejectsWith(promise, code);
  assert.match(error.message, reason, `${code} message does not say why: ${error.message}`);
}

// --- Naming the key ---------------------------------------------------------------------------

test('CreateSecret with KmsKeyId as key id, key ARN, alias or alias ARN: readable, and reported as that key', async () => {
  const { key, alias, names } = await namedKey('create-forms');
  for (const [form, kmsKeyId] of Object.entries(keyIdentifiers(key, alias))) {
    const { name, versionId } = await createSecret(kmsKeyId, `under ${form}`);
    assert.equal(await read(name), `under ${form}`, form);

    const described = await shared.sm.send(new DescribeSecretCommand({ SecretId: name }));
    assertNamesKey(described.KmsKeyId, names, `DescribeSecret.KmsKeyId (${form})`);
    const versions = await versionKeys(name);
    assert.equal(versions.get(versionId)?.length, 1, `${form}: KmsKeyIds ${versions.get(versionId)}`);
    assertNamesKey(versions.get(versionId)![0], names, `ListSecretVersionIds KmsKeyIds (${form})`);

    const listed = await shared.sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [name] }] }));
    assert.equal(listed.SecretList![0]?.KmsKeyId, described.KmsKeyId, `ListSecrets KmsKeyId (${form})`);
  }
});

test('a secret on the default key shows no KmsKeyId, and DefaultEncryptionKey for its versions', async () => {
  const { name, versionId } = await createSecret(undefined, 'default');
  assert.equal((await shared.sm.send(new DescribeSecretCommand({ SecretId: name }))).KmsKeyId, undefined);
  assert.deepEqual((await versionKeys(name)).get(versionId), ['DefaultEncryptionKey']);
});

// --- Key state --------------------------------------------------------------------------------

test('a disabled key: reads are DecryptionFailure, writes EncryptionFailure, both saying so; EnableKey brings everything back', async () => {
  const { key, alias } = await namedKey('disabled');
  const { name, versionId: v1 } = await createSecret(alias, 'one');
  const v2 = await put(name, 'two');
  await disable(key);

  await failsBecause(read(name), 'DecryptionFailure', /disabled/i);
  await failsBecause(read(name, { VersionStage: 'AWSPREVIOUS' }), 'DecryptionFailure', /disabled/i);
  await failsBecause(put(name, 'three'), 'EncryptionFailure', /disabled/i);
  await failsBecause(shared.sm.send(new UpdateSecretCommand({ SecretId: name, SecretString: 'three' })), 'EncryptionFailure', /disabled/i);
  // A batch read reports the failure per secret instead of failing.
  const batch = await shared.sm.send(new BatchGetSecretValueCommand({ SecretIdList: [name] }));
  assert.deepEqual(batch.SecretValues ?? [], []);
  assert.equal(batch.Errors?.[0]?.ErrorCode, 'DecryptionFailure');
  // The metadata is not encrypted.
  const described = await shared.sm.send(new DescribeSecretCommand({ SecretId: name }));
  assert.deepEqual(described.VersionIdsToStages, { [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });

  await enable(key);
  assert.equal(await read(name), 'two');
  assert.equal(await read(name, { VersionStage: 'AWSPREVIOUS' }), 'one');
  assert.deepEqual([...(await versionKeys(name)).keys()].sort(), [v1, v2].sort(), 'the failed writes left a version behind');
  await put(name, 'three');
  assert.equal(await read(name), 'three');
});

test('a key pending deletion: reads are DecryptionFailure saying so; CancelKeyDeletion and EnableKey restore them', async () => {
  const { key } = await namedKey('doomed');
  const { name } = await createSecret(key.Arn, 'precious');
  await shared.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));

  await failsBecause(read(name), 'DecryptionFailure', /pending deletion/i);
  await failsBecause(put(name, 'new'), 'EncryptionFailure', /pending deletion/i);

  await shared.kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
  await failsBecause(read(name), 'DecryptionFailure', /disabled/i);
  await enable(key);
  assert.equal(await read(name), 'precious');
});

test('CreateSecret with a disabled key or one pending deletion is EncryptionFailure, and creates no secret', async () => {
  const { key: disabled } = await namedKey('create-disabled');
  await disable(disabled);
  const { key: doomed } = await namedKey('create-doomed');
  await shared.kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));

  for (const [key, reason] of [[disabled, /disabled/i], [doomed, /pending deletion/i]] as const) {
    const name = uniqueName('cmk/create-refused');
    await failsBecause(shared.sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x', KmsKeyId: key.Arn })), 'EncryptionFailure', reason);
    await rejectsWith(shared.sm.send(new DescribeSecretCommand({ SecretId: name })), 'ResourceNotFoundException', NOT_FOUND);
  }
});

test('CreateSecret with a key that does not exist is InvalidParameterException naming the invalid key, and creates no secret', async () => {
  // AWS: "The operation failed because of an invalid KMS key: <what KMS said>".
  const missing = randomUUID();
  const cases: Array<[string, string]> = [
    [missing, KmsMessages.keyNotFound(keyArnOf(missing))],
    [keyArnOf(missing), KmsMessages.keyNotFound(keyArnOf(missing))],
    ['alias/cmk-never-created', KmsMessages.aliasNotFound(aliasArnOf('alias/cmk-never-created'))],
    [aliasArnOf('alias/cmk-never-created'), KmsMessages.aliasNotFound(aliasArnOf('alias/cmk-never-created'))],
  ];
  for (const [kmsKeyId, kmsMessage] of cases) {
    const name = uniqueName('cmk/no-key');
    const error = await rejectsWith(
      shared.sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x', KmsKeyId: kmsKeyId })),
      'InvalidParameterException',
    );
    assert.match(error.message, /invalid KMS key/i, kmsKeyId);
    assert.ok(error.message.includes(kmsMessage), `${kmsKeyId}: message does not say "${kmsMessage}": ${error.message}`);
    await rejectsWith(shared.sm.send(new DescribeSecretCommand({ SecretId: name })), 'ResourceNotFoundException', NOT_FOUND);
  }
});

// --- Moving a secret to another key ---------------------------------------------------------

test('UpdateSecret with a new KmsKeyId re-encrypts AWSCURRENT and AWSPREVIOUS under it; unlabelled versions stay on the old key', async () => {
  const { key: oldKey, names: oldNames } = await namedKey('move-from');
  const { key: newKey, alias: newAlias, names: newNames } = await namedKey('move-to');
  const { name, versionId: v1 } = await createSecret(oldKey.KeyId, 'one');
  const v2 = await put(name, 'two');
  const v3 = await put(name, 'three'); // v1 loses its last label

  const updated = await shared.sm.send(new UpdateSecretCommand({ SecretId: name, KmsKeyId: newAlias }));
  assert.equal(updated.Name, name);
  assert.equal(updated.VersionId, undefined, 'changing only the key makes no version');
  assertNamesKey((await shared.sm.send(new DescribeSecretCommand({ SecretId: name }))).KmsKeyId, newNames, 'DescribeSecret.KmsKeyId');

  const keys = await versionKeys(name);
  assert.deepEqual([...keys.keys()].sort(), [v1, v2, v3].sort());
  for (const labelled of [v2, v3]) {
    assert.ok(keys.get(labelled)!.some((ref) => newNames.includes(ref)), `version ${labelled} not under the new key: ${keys.get(labelled)}`);
  }
  assert.equal(keys.get(v1)!.length, 1, `unlabelled version: ${keys.get(v1)}`);
  assertNamesKey(keys.get(v1)![0], oldNames, 'unlabelled version KmsKeyIds');

  // Without the old key the labelled versions still read: they really were re-encrypted.
  await disable(oldKey);
  assert.equal(await read(name), 'three');
  assert.equal(await read(name, { VersionStage: 'AWSPREVIOUS' }), 'two');
  await failsBecause(read(name, { VersionId: v1 }), 'DecryptionFailure', /disabled/i);

  // New versions use the new key alone.
  const v4 = await put(name, 'four');
  const v4Keys = (await versionKeys(name)).get(v4)!;
  assert.equal(v4Keys.length, 1, `new version: ${v4Keys}`);
  assertNamesKey(v4Keys[0], newNames, 'new version KmsKeyIds');
  await disable(newKey);
  await failsBecause(read(name), 'DecryptionFailure', /disabled/i);

  await enable(newKey);
  await enable(oldKey);
  assert.equal(await read(name, { VersionId: v1 }), 'one');
  assert.equal(await read(name), 'four');
});

test('UpdateSecret with an empty KmsKeyId moves the secret back to the default key', async () => {
  const { key } = await namedKey('back-to-default');
  const { name } = await createSecret(key.KeyId, 'one');
  const v2 = await put(name, 'two');
  await shared.sm.send(new UpdateSecretCommand({ SecretId: name, KmsKeyId: '' }));
  assert.equal((await shared.sm.send(new DescribeSecretCommand({ SecretId: name }))).KmsKeyId, undefined);
  assert.ok((await versionKeys(name)).get(v2)!.includes('DefaultEncryptionKey'));

  await disable(key);
  assert.equal(await read(name), 'two');
  assert.equal(await read(name, { VersionStage: 'AWSPREVIOUS' }), 'one');
  const v3 = await put(name, 'three');
  assert.deepEqual((await versionKeys(name)).get(v3), ['DefaultEncryptionKey']);
  await enable(key);
});

test('a customer key can protect many secrets; disabling it affects only those', async () => {
  const { key } = await namedKey('shared-key');
  const a = await createSecret(key.KeyId, 'a');
  const b = await createSecret(key.KeyId, 'b');
  const other = await createSecret(undefined, 'other');
  const elsewhere = await createSecret((await createKey(shared.kms)).KeyId, 'elsewhere');
  await disable(key);
  await failsBecause(read(a.name), 'DecryptionFailure', /disabled/i);
  await failsBecause(read(b.name), 'DecryptionFailure', /disabled/i);
  assert.equal(await read(other.name), 'other');
  assert.equal(await read(elsewhere.name), 'elsewhere');
  await enable(key);
});
