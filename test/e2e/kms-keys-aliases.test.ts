// KMS keys and aliases with @aws-sdk/client-kms against a live server:
// CreateKey, DescribeKey, ListKeys, UpdateKeyDescription, the AWS-managed key
// for Secrets Manager, and CreateAlias / UpdateAlias / DeleteAlias / ListAliases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DisableKeyCommand,
  EncryptCommand,
  ListAliasesCommand,
  ListKeysCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
  type AliasListEntry,
  type KMSClient,
  type KeyListEntry,
} from '@aws-sdk/client-kms';
import { rejectsWith } from '../support/sdk-errors.js';
import {
  ACCOUNT,
  KEY_MATERIAL_ID,
  KmsMessages,
  UUID,
  aliasArnOf,
  assertNear,
  createKey,
  createKeyWithAlias,
  describeKey,
  keyArnOf,
  keyIdentifiers,
  refused,
  sharedKmsServer,
  uniqueAlias,
  utf8,
} from '../support/kms-client.js';

const shared = sharedKmsServer();
const SM_ALIAS = 'alias/aws/secretsmanager';

/** Every page of ListKeys at `limit`, checking Truncated/NextMarker on each. */
async function allKeys(kms: KMSClient, limit: number): Promise<KeyListEntry[]> {
  const keys: KeyListEntry[] = [];
  let marker: string | undefined;
  do {
    const page = await kms.send(new ListKeysCommand({ Limit: limit, Marker: marker }));
    assert.ok(page.Keys!.length <= limit, `page of ${page.Keys!.length} > Limit ${limit}`);
    assert.equal(page.Truncated, page.NextMarker !== undefined, 'Truncated iff NextMarker');
    keys.push(...page.Keys!);
    marker = page.NextMarker;
  } while (marker);
  return keys;
}

/** Every page of ListAliases (optionally for one key) at `limit`, checking Truncated/NextMarker on each. */
async function allAliases(kms: KMSClient, limit?: number, keyId?: string): Promise<AliasListEntry[]> {
  const aliases: AliasListEntry[] = [];
  let marker: string | undefined;
  do {
    const page = await kms.send(new ListAliasesCommand({ Limit: limit, Marker: marker, KeyId: keyId }));
    if (limit) assert.ok(page.Aliases!.length <= limit, `page of ${page.Aliases!.length} > Limit ${limit}`);
    assert.equal(page.Truncated, page.NextMarker !== undefined, 'Truncated iff NextMarker');
    aliases.push(...page.Aliases!);
    marker = page.NextMarker;
  } while (marker);
  return aliases;
}

const aliasNames = (entries: AliasListEntry[]) => entries.map((a) => a.AliasName!).sort();

// --- CreateKey / DescribeKey ----------------------------------------------------------------

test('CreateKey with no input: KeyMetadata is exactly what AWS returns for a new symmetric key', async () => {
  const before = Date.now();
  const key = await createKey(shared.kms);
  const { KeyId, Arn, CreationDate, CurrentKeyMaterialId, ...rest } = key;
  assert.match(KeyId, UUID);
  assert.equal(Arn, keyArnOf(KeyId));
  assertNear(CreationDate, before, 60_000, 'CreationDate');
  assert.match(CurrentKeyMaterialId ?? '', KEY_MATERIAL_ID);
  assert.deepEqual(rest, {
    AWSAccountId: ACCOUNT,
    Enabled: true,
    Description: '',
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: 'Enabled',
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
  });
  // DescribeKey returns the very same metadata.
  assert.deepEqual(await describeKey(shared.kms, KeyId), key);
});

test('CreateKey with a description and the symmetric spec and usage spelled out', async () => {
  const key = await createKey(shared.kms, { Description: 'payments data key', KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' });
  assert.equal(key.Description, 'payments data key');
  assert.equal(key.KeySpec, 'SYMMETRIC_DEFAULT');
  assert.equal((await describeKey(shared.kms, key.KeyId)).Description, 'payments data key');
  // CustomerMasterKeySpec is the deprecated name of KeySpec.
  const legacy = await createKey(shared.kms, { CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT' });
  assert.equal(legacy.KeySpec, 'SYMMETRIC_DEFAULT');
  assert.equal(legacy.CustomerMasterKeySpec, 'SYMMETRIC_DEFAULT');
});

test('CreateKey with a non-symmetric KeySpec and no KeyUsage is ValidationException', async () => {
  await rejectsWith(
    shared.kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048' })),
    'ValidationException',
    'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
  );
});

test('UpdateKeyDescription replaces the description; an empty one is allowed', async () => {
  const key = await createKey(shared.kms, { Description: 'before' });
  await shared.kms.send(new UpdateKeyDescriptionCommand({ KeyId: key.Arn, Description: 'after' }));
  assert.equal((await describeKey(shared.kms, key.KeyId)).Description, 'after');
  await shared.kms.send(new UpdateKeyDescriptionCommand({ KeyId: key.KeyId, Description: '' }));
  assert.equal((await describeKey(shared.kms, key.KeyId)).Description, '');
});

test('DescribeKey finds a key by key id, key ARN, alias name and alias ARN', async () => {
  const { key, alias } = await createKeyWithAlias(shared.kms, 'describe-forms');
  const expected = await describeKey(shared.kms, key.KeyId);
  for (const [form, id] of Object.entries(keyIdentifiers(key, alias))) {
    assert.deepEqual(await describeKey(shared.kms, id), expected, form);
  }
});

test('DescribeKey of what does not exist is NotFoundException with the AWS message', async () => {
  const missing = randomUUID();
  // A well-formed multi-Region key id that names no key: AWS says the key does not exist, as for a UUID.
  const missingMrk = `mrk-${randomUUID().replace(/-/g, '')}`;
  const cases: Array<[string, string]> = [
    ['fake-key-id', KmsMessages.invalidKeyId('fake-key-id')],
    [missing, KmsMessages.keyNotFound(keyArnOf(missing))],
    [missingMrk, KmsMessages.keyNotFound(keyArnOf(missingMrk))],
    [keyArnOf(missingMrk), KmsMessages.keyNotFound(keyArnOf(missingMrk))],
    [keyArnOf(missing), KmsMessages.keyNotFound(keyArnOf(missing))],
    ['alias/never-created', KmsMessages.aliasNotFound(aliasArnOf('alias/never-created'))],
    [aliasArnOf('alias/never-created'), KmsMessages.aliasNotFound(aliasArnOf('alias/never-created'))],
    [`arn:aws:kms:eu-west-1:${ACCOUNT}:key/${missing}`, KmsMessages.invalidArn('eu-west-1')],
  ];
  for (const [keyId, message] of cases) {
    await rejectsWith(describeKey(shared.kms, keyId), 'NotFoundException', message);
  }
});

test('an existing key is not found through an ARN of another region or account', async () => {
  const key = await createKey(shared.kms);
  await rejectsWith(describeKey(shared.kms, key.Arn.replace(':us-east-1:', ':eu-west-1:')), 'NotFoundException', KmsMessages.invalidArn('eu-west-1'));
  await rejectsWith(describeKey(shared.kms, key.Arn.replace(`:${ACCOUNT}:`, ':111122223333:')), 'NotFoundException');
});

// --- The AWS-managed key for Secrets Manager --------------------------------------------------

test('DescribeKey of alias/aws/secretsmanager creates the AWS-managed key once and returns it', async () => {
  const first = await describeKey(shared.kms, SM_ALIAS);
  assert.match(first.KeyId, UUID);
  assert.equal(first.Arn, keyArnOf(first.KeyId));
  assert.equal(first.KeyManager, 'AWS');
  assert.equal(first.KeyState, 'Enabled');
  assert.equal(first.Enabled, true);
  assert.equal(first.KeySpec, 'SYMMETRIC_DEFAULT');
  assert.equal(first.KeyUsage, 'ENCRYPT_DECRYPT');
  assert.equal(first.Origin, 'AWS_KMS');
  assert.deepEqual(await describeKey(shared.kms, SM_ALIAS), first);
  assert.deepEqual(await describeKey(shared.kms, aliasArnOf(SM_ALIAS)), first);
  assert.deepEqual(await describeKey(shared.kms, first.KeyId), first);

  // Its alias is listed with the key as target, and the key is listed.
  const entry = (await allAliases(shared.kms)).find((a) => a.AliasName === SM_ALIAS);
  assert.ok(entry, `${SM_ALIAS} not in ListAliases`);
  assert.equal(entry.TargetKeyId, first.KeyId);
  assert.equal(entry.AliasArn, aliasArnOf(SM_ALIAS));
  assert.ok((await allKeys(shared.kms, 100)).some((k) => k.KeyId === first.KeyId), 'AWS-managed key not in ListKeys');

  // Its policy lets it be used only through Secrets Manager (test/security/managed-key-direct-use.test.ts).
  await refused(shared.kms.send(new EncryptCommand({ KeyId: SM_ALIAS, Plaintext: utf8('x') })), 'Encrypt with aws/secretsmanager directly');
});

test('the aws/secretsmanager alias cannot be re-pointed, deleted, or given to a customer key', async () => {
  const managed = await describeKey(shared.kms, SM_ALIAS);
  const mine = await createKey(shared.kms);
  await refused(shared.kms.send(new UpdateAliasCommand({ AliasName: SM_ALIAS, TargetKeyId: mine.KeyId })), 'UpdateAlias aws/secretsmanager');
  await refused(shared.kms.send(new DeleteAliasCommand({ AliasName: SM_ALIAS })), 'DeleteAlias aws/secretsmanager');
  // An AWS-managed key gets no customer aliases either.
  await refused(
    shared.kms.send(new CreateAliasCommand({ AliasName: uniqueAlias('on-managed'), TargetKeyId: managed.KeyId })),
    'CreateAlias to the AWS-managed key',
  );
  assert.equal((await describeKey(shared.kms, SM_ALIAS)).KeyId, managed.KeyId);
});

// --- ListKeys -------------------------------------------------------------------------------

test('ListKeys pages with Limit and Marker; every key once, in every state', async () => {
  const created = await Promise.all([1, 2, 3, 4, 5].map(() => createKey(shared.kms)));
  await shared.kms.send(new DisableKeyCommand({ KeyId: created[0]!.KeyId }));
  await shared.kms.send(new ScheduleKeyDeletionCommand({ KeyId: created[1]!.KeyId, PendingWindowInDays: 7 }));

  const listed = await allKeys(shared.kms, 2);
  const ids = listed.map((k) => k.KeyId!);
  assert.equal(new Set(ids).size, ids.length, 'a key was listed twice');
  for (const key of created) assert.ok(ids.includes(key.KeyId), `${key.KeyId} not listed`);
  for (const entry of listed) assert.equal(entry.KeyArn, keyArnOf(entry.KeyId!));

  // One page at the default Limit (100) holds them all here, and is not truncated.
  const whole = await shared.kms.send(new ListKeysCommand({}));
  assert.deepEqual(whole.Keys!.map((k) => k.KeyId).sort(), [...ids].sort());
  assert.equal(whole.Truncated, false);
  assert.equal(whole.NextMarker, undefined);
});

test('ListKeys with Limit out of 1-1000 is ValidationException', async () => {
  for (const Limit of [0, 1001]) {
    await rejectsWith(shared.kms.send(new ListKeysCommand({ Limit })), 'ValidationException', /limit/i);
  }
});

// --- Aliases --------------------------------------------------------------------------------

test('CreateAlias: ListAliases with KeyId (id or ARN) gives exactly that key\'s aliases, with ARNs and dates', async () => {
  const before = Date.now();
  const { key, alias } = await createKeyWithAlias(shared.kms, 'list-by-key');
  const second = uniqueAlias('list-by-key-2');
  await shared.kms.send(new CreateAliasCommand({ AliasName: second, TargetKeyId: key.Arn }));
  await createKeyWithAlias(shared.kms, 'list-by-key-other');

  for (const keyId of [key.KeyId, key.Arn]) {
    const entries = await allAliases(shared.kms, undefined, keyId);
    assert.deepEqual(aliasNames(entries), [alias, second].sort(), keyId);
    for (const entry of entries) {
      assert.equal(entry.AliasArn, aliasArnOf(entry.AliasName!));
      assert.equal(entry.TargetKeyId, key.KeyId);
      assertNear(entry.CreationDate, before, 60_000, 'CreationDate');
      assertNear(entry.LastUpdatedDate, before, 60_000, 'LastUpdatedDate');
    }
  }
  // A key without aliases has none.
  const bare = await createKey(shared.kms);
  assert.deepEqual(await allAliases(shared.kms, undefined, bare.KeyId), []);
});

test('ListAliases pages with Limit and Marker; every alias once', async () => {
  const made = await Promise.all([1, 2, 3].map(() => createKeyWithAlias(shared.kms, 'paged')));
  const listed = aliasNames(await allAliases(shared.kms, 1));
  assert.equal(new Set(listed).size, listed.length, 'an alias was listed twice');
  for (const { alias } of made) assert.ok(listed.includes(alias), `${alias} not listed`);
  assert.deepEqual(aliasNames(await allAliases(shared.kms, 2)), listed);
  await rejectsWith(shared.kms.send(new ListAliasesCommand({ Limit: 0 })), 'ValidationException', /limit/i);
});

test('ListAliases with Limit over 100 is ValidationException (documented range 1-100, narrower than the model\'s)', async () => {
  await rejectsWith(shared.kms.send(new ListAliasesCommand({ Limit: 101 })), 'ValidationException', /limit/i);
});

test('UpdateAlias re-points an alias: lookups and Encrypt through it reach the new key', async () => {
  const { key: oldKey, alias } = await createKeyWithAlias(shared.kms, 'repoint');
  const newKey = await createKey(shared.kms);
  const created = (await allAliases(shared.kms, undefined, oldKey.KeyId))[0]!;

  await shared.kms.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: newKey.Arn }));
  assert.equal((await describeKey(shared.kms, alias)).KeyId, newKey.KeyId);
  assert.deepEqual(await allAliases(shared.kms, undefined, oldKey.KeyId), []);
  const [moved] = await allAliases(shared.kms, undefined, newKey.KeyId);
  assert.equal(moved?.AliasName, alias);
  assert.equal(moved.CreationDate!.getTime(), created.CreationDate!.getTime(), 'CreationDate kept');
  assert.ok(moved.LastUpdatedDate!.getTime() >= created.LastUpdatedDate!.getTime(), 'LastUpdatedDate moved on');

  const encrypted = await shared.kms.send(new EncryptCommand({ KeyId: aliasArnOf(alias), Plaintext: utf8('x') }));
  assert.equal(encrypted.KeyId, newKey.Arn);
  // UpdateAlias cannot create an alias.
  await rejectsWith(shared.kms.send(new UpdateAliasCommand({ AliasName: uniqueAlias('never'), TargetKeyId: newKey.KeyId })), 'NotFoundException');
});

test('DeleteAlias removes the alias, not the key; the name can be used again', async () => {
  const { key, alias } = await createKeyWithAlias(shared.kms, 'delete');
  await shared.kms.send(new DeleteAliasCommand({ AliasName: alias }));
  await rejectsWith(describeKey(shared.kms, alias), 'NotFoundException', KmsMessages.aliasNotFound(aliasArnOf(alias)));
  assert.equal((await describeKey(shared.kms, key.KeyId)).KeyState, 'Enabled');
  assert.ok(!aliasNames(await allAliases(shared.kms)).includes(alias));

  await rejectsWith(shared.kms.send(new DeleteAliasCommand({ AliasName: alias })), 'NotFoundException');
  await shared.kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId }));
  assert.equal((await describeKey(shared.kms, alias)).KeyId, key.KeyId);
});

test('CreateAlias with a name in use is AlreadyExistsException naming the alias', async () => {
  const { alias } = await createKeyWithAlias(shared.kms, 'taken');
  const other = await createKey(shared.kms);
  const error = await rejectsWith(shared.kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: other.KeyId })), 'AlreadyExistsException');
  assert.ok(error.message.includes(alias), error.message);
});

test('CreateAlias with an invalid name is ValidationException with the AWS message', async () => {
  const key = await createKey(shared.kms);
  await rejectsWith(
    shared.kms.send(new CreateAliasCommand({ AliasName: 'no-prefix', TargetKeyId: key.KeyId })),
    'ValidationException',
    'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
  );
  await rejectsWith(
    shared.kms.send(new CreateAliasCommand({ AliasName: 'alias/has:colon', TargetKeyId: key.KeyId })),
    'ValidationException',
    'alias/has:colon contains invalid characters for an alias',
  );
  // Outside the model's pattern altogether.
  await rejectsWith(shared.kms.send(new CreateAliasCommand({ AliasName: 'alias/has space', TargetKeyId: key.KeyId })), 'ValidationException');
  assert.deepEqual(await allAliases(shared.kms, undefined, key.KeyId), []);
});

test('alias/aws/ names are reserved: CreateAlias is refused and nothing is created', async () => {
  const key = await createKey(shared.kms);
  const reserved = `alias/aws/${randomUUID().slice(0, 8)}`;
  await refused(shared.kms.send(new CreateAliasCommand({ AliasName: reserved, TargetKeyId: key.KeyId })), `CreateAlias ${reserved}`);
  assert.deepEqual(await allAliases(shared.kms, undefined, key.KeyId), []);
  await rejectsWith(describeKey(shared.kms, reserved), 'NotFoundException');
});

test('CreateAlias to a missing key is NotFoundException; to a key pending deletion, KMSInvalidStateException', async () => {
  const missing = randomUUID();
  await rejectsWith(
    shared.kms.send(new CreateAliasCommand({ AliasName: uniqueAlias('to-missing'), TargetKeyId: missing })),
    'NotFoundException',
    KmsMessages.keyNotFound(keyArnOf(missing)),
  );
  const doomed = await createKey(shared.kms);
  await shared.kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));
  await rejectsWith(
    shared.kms.send(new CreateAliasCommand({ AliasName: uniqueAlias('to-doomed'), TargetKeyId: doomed.KeyId })),
    'KMSInvalidStateException',
    KmsMessages.pendingDeletion(doomed.Arn),
  );
});
