import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
} from '@aws-sdk/client-secrets-manager';
import { sharedServer } from '../support/coffer-server.js';
import { NOT_FOUND, rejectsWith, todayUtc, token, uniqueName } from '../support/sdk-errors.js';

const shared = sharedServer();

const ARN_PATTERN = (name: string) =>
  new RegExp(`^arn:aws:secretsmanager:us-east-1:000000000000:secret:${name.replace(/[/+.]/g, '\\$&')}-[A-Za-z0-9]{6}$`);

// --- CreateSecret ---------------------------------------------------------------------------

test('CreateSecret with a string: ARN is <name>-<6 alnum>, VersionId is the token, value reads back as AWSCURRENT', async () => {
  const name = uniqueName('create/string');
  const tok = token();
  const before = Date.now();
  const created = await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: '{"user":"app"}', ClientRequestToken: tok }));
  assert.equal(created.$metadata.httpStatusCode, 200);
  assert.match(created.ARN!, ARN_PATTERN(name));
  assert.equal(created.Name, name);
  assert.equal(created.VersionId, tok);

  const value = await shared.client.send(new GetSecretValueCommand({ SecretId: name }));
  assert.equal(value.ARN, created.ARN);
  assert.equal(value.Name, name);
  assert.equal(value.VersionId, tok);
  assert.equal(value.SecretString, '{"user":"app"}');
  assert.equal(value.SecretBinary, undefined);
  assert.deepEqual(value.VersionStages, ['AWSCURRENT']);
  assert.ok(value.CreatedDate instanceof Date);
  assert.ok(value.CreatedDate.getTime() >= before - 1000 && value.CreatedDate.getTime() <= Date.now() + 1000);
});

test('CreateSecret without a token gets one from the SDK (a UUID) as its VersionId', async () => {
  const created = await shared.client.send(new CreateSecretCommand({ Name: uniqueName('create/auto-token'), SecretString: 'x' }));
  assert.match(created.VersionId!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('CreateSecret with a binary value: arbitrary bytes round-trip exactly and no SecretString comes back', async () => {
  const name = uniqueName('create/binary');
  const bytes = new Uint8Array(512);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + 3) % 256; // every byte value, incl. 0x00 and 0xff
  bytes[0] = 0;
  bytes[1] = 0xff;
  const created = await shared.client.send(new CreateSecretCommand({ Name: name, SecretBinary: bytes, ClientRequestToken: token() }));
  const value = await shared.client.send(new GetSecretValueCommand({ SecretId: created.ARN }));
  assert.equal(value.SecretString, undefined);
  assert.ok(value.SecretBinary instanceof Uint8Array);
  assert.deepEqual(Buffer.from(value.SecretBinary), Buffer.from(bytes));
});

test('CreateSecret with no value: no VersionId, no versions, GetSecretValue says no AWSCURRENT value', async () => {
  const name = uniqueName('create/empty');
  const created = await shared.client.send(new CreateSecretCommand({ Name: name, Description: 'placeholder' }));
  assert.match(created.ARN!, ARN_PATTERN(name));
  assert.equal(created.VersionId, undefined);

  const described = await shared.client.send(new DescribeSecretCommand({ SecretId: name }));
  assert.equal(described.VersionIdsToStages, undefined);
  assert.equal(described.Description, 'placeholder');

  const versions = await shared.client.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
  assert.deepEqual(versions.Versions, []);

  await rejectsWith(
    shared.client.send(new GetSecretValueCommand({ SecretId: name })),
    'ResourceNotFoundException',
    "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
  );
});

test('CreateSecret with a description and tags: DescribeSecret returns both', async () => {
  const name = uniqueName('create/tags');
  const tags = [
    { Key: 'team', Value: 'payments' },
    { Key: 'env', Value: 'prod' },
    { Key: 'empty', Value: '' },
  ];
  await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'v', Description: 'the payments db', Tags: tags }));
  const described = await shared.client.send(new DescribeSecretCommand({ SecretId: name }));
  assert.equal(described.Description, 'the payments db');
  assert.deepEqual(
    [...described.Tags!].sort((a, b) => a.Key!.localeCompare(b.Key!)),
    [...tags].sort((a, b) => a.Key.localeCompare(b.Key)),
  );
});

test('CreateSecret with both SecretString and SecretBinary is InvalidParameterException', async () => {
  const name = uniqueName('create/both');
  await rejectsWith(
    shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'a', SecretBinary: Buffer.from('b') })),
    'InvalidParameterException',
  );
  await rejectsWith(shared.client.send(new DescribeSecretCommand({ SecretId: name })), 'ResourceNotFoundException', NOT_FOUND);
});

test('CreateSecret with an invalid name is ValidationException with AWS message', async () => {
  await rejectsWith(
    shared.client.send(new CreateSecretCommand({ Name: 'bad name!', SecretString: 'x' })),
    'ValidationException',
    'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
  );
});

test('names with every allowed punctuation character work', async () => {
  const name = `a/b_c+d=e.f@g-h/${token().slice(0, 8)}`;
  const created = await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'ok' }));
  assert.match(created.ARN!, ARN_PATTERN(name));
  assert.equal((await shared.client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'ok');
});

// --- Idempotency (§5.3) ---------------------------------------------------------------------

test('CreateSecret repeated with the same token and value succeeds with the same ARN and VersionId, no new version', async () => {
  const name = uniqueName('idem/create');
  const tok = token();
  const first = await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'same', ClientRequestToken: tok }));
  const again = await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'same', ClientRequestToken: tok }));
  assert.equal(again.ARN, first.ARN);
  assert.equal(again.Name, name);
  assert.equal(again.VersionId, tok);
  const versions = await shared.client.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
  assert.deepEqual(versions.Versions!.map((v) => v.VersionId), [tok]);
});

test('CreateSecret repeated with the same token and another value is ResourceExistsException naming token and ARN', async () => {
  const name = uniqueName('idem/create-other');
  const tok = token();
  const first = await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'one', ClientRequestToken: tok }));
  await rejectsWith(
    shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'two', ClientRequestToken: tok })),
    'ResourceExistsException',
    `You can't use ClientRequestToken ${tok} because that value is already in use for a version of secret ${first.ARN}.`,
  );
  // The same bytes as binary are another value: the type counts.
  await rejectsWith(
    shared.client.send(new CreateSecretCommand({ Name: name, SecretBinary: Buffer.from('one'), ClientRequestToken: tok })),
    'ResourceExistsException',
  );
  assert.equal((await shared.client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'one');
});

test('CreateSecret on an existing name with a new token is ResourceExistsException', async () => {
  const name = uniqueName('idem/create-exists');
  await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'one', ClientRequestToken: token() }));
  await rejectsWith(
    shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'one', ClientRequestToken: token() })),
    'ResourceExistsException',
    `The operation failed because the secret ${name} already exists.`,
  );
});

// --- GetSecretValue: resolving SecretId (§3.3) and choosing versions (§5.4) --------------------

test('GetSecretValue resolves a name, a full ARN and a partial ARN (no suffix)', async () => {
  const name = uniqueName('get/resolve');
  const created = await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'resolved' }));
  const partial = created.ARN!.slice(0, -7);
  assert.equal(partial, `arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}`);
  for (const id of [name, created.ARN!, partial]) {
    const value = await shared.client.send(new GetSecretValueCommand({ SecretId: id }));
    assert.equal(value.SecretString, 'resolved', id);
    assert.equal(value.ARN, created.ARN, id);
  }
});

test('GetSecretValue does not resolve the name plus the random suffix, nor a full ARN with another suffix', async () => {
  const name = uniqueName('get/suffix');
  const created = await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
  const suffix = created.ARN!.slice(-6);
  await rejectsWith(shared.client.send(new GetSecretValueCommand({ SecretId: `${name}-${suffix}` })), 'ResourceNotFoundException', NOT_FOUND);
  const otherSuffix = suffix === 'AbCdEf' ? 'ZyXwVu' : 'AbCdEf';
  await rejectsWith(
    shared.client.send(new GetSecretValueCommand({ SecretId: `${created.ARN!.slice(0, -6)}${otherSuffix}` })),
    'ResourceNotFoundException',
    NOT_FOUND,
  );
  await rejectsWith(
    shared.client.send(new GetSecretValueCommand({ SecretId: name.toUpperCase() })),
    'ResourceNotFoundException',
    NOT_FOUND,
  );
});

test('GetSecretValue of an unknown secret is ResourceNotFoundException (400)', async () => {
  await rejectsWith(shared.client.send(new GetSecretValueCommand({ SecretId: 'get/nope/never' })), 'ResourceNotFoundException', NOT_FOUND);
  await rejectsWith(
    shared.client.send(new GetSecretValueCommand({ SecretId: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:get/nope-AbCdEf' })),
    'ResourceNotFoundException',
    NOT_FOUND,
  );
});

test('GetSecretValue by VersionId, by VersionStage, and by both', async () => {
  const name = uniqueName('get/versions');
  const v1 = token();
  const v2 = token();
  await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'first', ClientRequestToken: v1 }));
  await shared.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'second', ClientRequestToken: v2 }));

  const byId = await shared.client.send(new GetSecretValueCommand({ SecretId: name, VersionId: v1 }));
  assert.equal(byId.SecretString, 'first');
  assert.equal(byId.VersionId, v1);
  assert.deepEqual(byId.VersionStages, ['AWSPREVIOUS']);

  const byStage = await shared.client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' }));
  assert.equal(byStage.SecretString, 'first');
  assert.equal(byStage.VersionId, v1);

  const current = await shared.client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSCURRENT' }));
  assert.equal(current.SecretString, 'second');
  assert.deepEqual(current.VersionStages, ['AWSCURRENT']);

  const both = await shared.client.send(new GetSecretValueCommand({ SecretId: name, VersionId: v2, VersionStage: 'AWSCURRENT' }));
  assert.equal(both.SecretString, 'second');

  await rejectsWith(
    shared.client.send(new GetSecretValueCommand({ SecretId: name, VersionId: v1, VersionStage: 'AWSCURRENT' })),
    'InvalidRequestException',
    'You provided a VersionStage that is not associated to the provided VersionId.',
  );
});

test('GetSecretValue with an unknown VersionId or staging label is ResourceNotFoundException with the AWS message', async () => {
  const name = uniqueName('get/missing-version');
  await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
  const unknown = token();
  await rejectsWith(
    shared.client.send(new GetSecretValueCommand({ SecretId: name, VersionId: unknown })),
    'ResourceNotFoundException',
    `Secrets Manager can't find the specified secret value for VersionId: ${unknown}`,
  );
  await rejectsWith(
    shared.client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' })),
    'ResourceNotFoundException',
    "Secrets Manager can't find the specified secret value for staging label: AWSPENDING",
  );
});

// --- DescribeSecret ---------------------------------------------------------------------------

test('DescribeSecret: dates, VersionIdsToStages, no KmsKeyId for the default key, LastAccessedDate at midnight UTC', async () => {
  const name = uniqueName('describe/fields');
  const tok = token();
  const before = Date.now();
  const created = await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'x', ClientRequestToken: tok }));

  const fresh = await shared.client.send(new DescribeSecretCommand({ SecretId: name }));
  assert.equal(fresh.ARN, created.ARN);
  assert.equal(fresh.Name, name);
  assert.equal(fresh.KmsKeyId, undefined);
  assert.equal(fresh.DeletedDate, undefined);
  assert.equal(fresh.LastAccessedDate, undefined, 'never read yet');
  assert.equal(fresh.Description, undefined);
  assert.equal(fresh.Tags, undefined);
  assert.ok(fresh.CreatedDate instanceof Date && fresh.CreatedDate.getTime() >= before - 1000);
  assert.ok(fresh.LastChangedDate instanceof Date && fresh.LastChangedDate.getTime() >= before - 1000);
  assert.ok(fresh.LastChangedDate.getTime() <= Date.now() + 1000);
  assert.deepEqual(fresh.VersionIdsToStages, { [tok]: ['AWSCURRENT'] });

  await shared.client.send(new GetSecretValueCommand({ SecretId: name }));
  const read = await shared.client.send(new DescribeSecretCommand({ SecretId: created.ARN }));
  assert.ok(read.LastAccessedDate instanceof Date);
  assert.equal(read.LastAccessedDate.getTime(), todayUtc().getTime());
  // Reading changes nothing.
  assert.equal(read.LastChangedDate!.getTime(), fresh.LastChangedDate.getTime());
});

test('an empty Description is left out of DescribeSecret and ListSecrets, as AWS does', async () => {
  const name = uniqueName('describe/empty-description');
  await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'x', Description: '' }));
  const described = await shared.client.send(new DescribeSecretCommand({ SecretId: name }));
  assert.equal(described.Description, undefined);
  const listed = await shared.client.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [name] }] }));
  assert.equal(listed.SecretList![0]!.Description, undefined);
});

test('naming the default key aws/secretsmanager explicitly still leaves KmsKeyId out', async () => {
  for (const KmsKeyId of ['alias/aws/secretsmanager', 'arn:aws:kms:us-east-1:000000000000:alias/aws/secretsmanager']) {
    const name = uniqueName('describe/default-key');
    await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'x', KmsKeyId }));
    assert.equal((await shared.client.send(new DescribeSecretCommand({ SecretId: name }))).KmsKeyId, undefined, KmsKeyId);
    const versions = await shared.client.send(new ListSecretVersionIdsCommand({ SecretId: name }));
    assert.deepEqual(versions.Versions![0]!.KmsKeyIds, ['DefaultEncryptionKey'], KmsKeyId);
    assert.equal((await shared.client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'x');
  }
});

test('DescribeSecret of an unknown secret is ResourceNotFoundException', async () => {
  await rejectsWith(shared.client.send(new DescribeSecretCommand({ SecretId: 'describe/none' })), 'ResourceNotFoundException', NOT_FOUND);
});
