import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  TagResourceCommand,
  UntagResourceCommand,
  paginateBatchGetSecretValue,
  type Tag,
} from '@aws-sdk/client-secrets-manager';
import { sharedServer } from '../support/coffer-server.js';
import { NOT_FOUND, rejectsWith, todayUtc, token, uniqueName } from '../support/sdk-errors.js';

const shared = sharedServer();

async function tagsOf(secretId: string): Promise<Tag[]> {
  const tags = (await shared.client.send(new DescribeSecretCommand({ SecretId: secretId }))).Tags ?? [];
  return [...tags].sort((a, b) => (a.Key! < b.Key! ? -1 : 1));
}

const manyTags = (n: number, prefix = 'k') => Array.from({ length: n }, (_, i) => ({ Key: `${prefix}${i}`, Value: `v${i}` }));

// --- TagResource / UntagResource ---------------------------------------------------------------

test('TagResource merges new keys and overwrites existing ones', async () => {
  const name = uniqueName('tags/merge');
  await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'v', Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
  const r = await shared.client.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'b', Value: 'two' }, { Key: 'c', Value: '3' }] }));
  assert.equal(r.$metadata.httpStatusCode, 200);
  assert.deepEqual(await tagsOf(name), [
    { Key: 'a', Value: '1' },
    { Key: 'b', Value: 'two' },
    { Key: 'c', Value: '3' },
  ]);
});

test('UntagResource removes keys and ignores absent ones (idempotent); tag keys are case-sensitive', async () => {
  const name = uniqueName('tags/untag');
  const created = await shared.client.send(
    new CreateSecretCommand({ Name: name, SecretString: 'v', Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: 'upper' }, { Key: 'b', Value: '2' }] }),
  );
  await shared.client.send(new UntagResourceCommand({ SecretId: created.ARN, TagKeys: ['a', 'missing'] }));
  assert.deepEqual(await tagsOf(name), [{ Key: 'A', Value: 'upper' }, { Key: 'b', Value: '2' }]);
  await shared.client.send(new UntagResourceCommand({ SecretId: name, TagKeys: ['a', 'missing'] }));
  assert.deepEqual(await tagsOf(name), [{ Key: 'A', Value: 'upper' }, { Key: 'b', Value: '2' }]);
  await shared.client.send(new UntagResourceCommand({ SecretId: name, TagKeys: ['A', 'b'] }));
  // Every tag removed: AWS shows an empty list (a secret never tagged has no Tags at all).
  assert.deepEqual((await shared.client.send(new DescribeSecretCommand({ SecretId: name }))).Tags, []);
  const listed = await shared.client.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [name] }] }));
  assert.deepEqual(listed.SecretList![0]!.Tags, []);
});

test('tags are per secret: writing a new version keeps them', async () => {
  const name = uniqueName('tags/versions');
  await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'v', Tags: [{ Key: 'keep', Value: 'me' }] }));
  await shared.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2' }));
  assert.deepEqual(await tagsOf(name), [{ Key: 'keep', Value: 'me' }]);
});

test('more than 50 tags is refused, at create and by a TagResource that would exceed 50; exactly 50 is fine', async () => {
  const name = uniqueName('tags/limit');
  await rejectsWith(shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'v', Tags: manyTags(51) })), 'InvalidParameterException');
  await rejectsWith(shared.client.send(new DescribeSecretCommand({ SecretId: name })), 'ResourceNotFoundException', NOT_FOUND);

  await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'v', Tags: manyTags(30) }));
  await rejectsWith(shared.client.send(new TagResourceCommand({ SecretId: name, Tags: manyTags(21, 'x') })), 'InvalidParameterException');
  assert.equal((await tagsOf(name)).length, 30);
  // Overwriting existing keys does not count twice.
  await shared.client.send(new TagResourceCommand({ SecretId: name, Tags: [...manyTags(20, 'x'), ...manyTags(30)] }));
  assert.equal((await tagsOf(name)).length, 50);
});

test('tag keys starting with aws: are reserved', async () => {
  const name = uniqueName('tags/aws-prefix');
  await rejectsWith(
    shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'v', Tags: [{ Key: 'aws:team', Value: 'x' }] })),
    'InvalidParameterException',
  );
  await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'v' }));
  await rejectsWith(shared.client.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'AWS:team', Value: 'x' }] })), 'InvalidParameterException');
  assert.deepEqual(await tagsOf(name), []);
});

test('TagResource / UntagResource on an unknown secret are ResourceNotFoundException', async () => {
  await rejectsWith(shared.client.send(new TagResourceCommand({ SecretId: 'tags/unknown/x', Tags: [{ Key: 'k', Value: 'v' }] })), 'ResourceNotFoundException', NOT_FOUND);
  await rejectsWith(shared.client.send(new UntagResourceCommand({ SecretId: 'tags/unknown/x', TagKeys: ['k'] })), 'ResourceNotFoundException', NOT_FOUND);
});

test('a tag key over 128 characters is ValidationException', async () => {
  const name = uniqueName('tags/too-long');
  await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'v' }));
  await rejectsWith(shared.client.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'k'.repeat(129), Value: 'v' }] })), 'ValidationException');
});

// --- BatchGetSecretValue ----------------------------------------------------------------------

test('BatchGetSecretValue by SecretIdList: values for the good ids and an Errors entry for the missing one', async () => {
  const a = uniqueName('batch/ids');
  const b = uniqueName('batch/ids');
  const va = token();
  const ca = await shared.client.send(new CreateSecretCommand({ Name: a, SecretString: 'alpha', ClientRequestToken: va }));
  const cb = await shared.client.send(new CreateSecretCommand({ Name: b, SecretBinary: Buffer.from([1, 2, 3]) }));
  const missing = 'batch/ids/missing';
  const r = await shared.client.send(new BatchGetSecretValueCommand({ SecretIdList: [a, cb.ARN!, missing] }));
  assert.equal(r.$metadata.httpStatusCode, 200);
  assert.equal(r.SecretValues!.length, 2);
  const [first, second] = r.SecretValues!;
  assert.equal(first!.ARN, ca.ARN);
  assert.equal(first!.Name, a);
  assert.equal(first!.VersionId, va);
  assert.equal(first!.SecretString, 'alpha');
  assert.deepEqual(first!.VersionStages, ['AWSCURRENT']);
  assert.ok(first!.CreatedDate instanceof Date);
  assert.equal(second!.Name, b);
  assert.deepEqual(Buffer.from(second!.SecretBinary!), Buffer.from([1, 2, 3]));
  assert.deepEqual(r.Errors, [{ SecretId: missing, ErrorCode: 'ResourceNotFoundException', Message: NOT_FOUND }]);
  // Counts as a read.
  assert.equal((await shared.client.send(new DescribeSecretCommand({ SecretId: a }))).LastAccessedDate!.getTime(), todayUtc().getTime());
});

test('BatchGetSecretValue reports a secret scheduled for deletion or without a value in Errors', async () => {
  const doomed = uniqueName('batch/doomed');
  const empty = uniqueName('batch/empty');
  await shared.client.send(new CreateSecretCommand({ Name: doomed, SecretString: 'x' }));
  await shared.client.send(new DeleteSecretCommand({ SecretId: doomed }));
  await shared.client.send(new CreateSecretCommand({ Name: empty }));
  const r = await shared.client.send(new BatchGetSecretValueCommand({ SecretIdList: [doomed, empty] }));
  assert.deepEqual(r.SecretValues, []);
  assert.deepEqual(
    r.Errors!.map((e) => [e.SecretId, e.ErrorCode]),
    [
      [doomed, 'InvalidRequestException'],
      [empty, 'ResourceNotFoundException'],
    ],
  );
});

test('BatchGetSecretValue by Filters with MaxResults pages through the matching secrets', async () => {
  const prefix = `batch-filter-${token().slice(0, 8)}`;
  const names = Array.from({ length: 5 }, (_, i) => `${prefix}/s${i}`);
  for (const [i, name] of names.entries()) await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: `value-${i}` }));
  await shared.client.send(new CreateSecretCommand({ Name: `${prefix}-other`, SecretString: 'not matched' }));

  const first = await shared.client.send(new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: [`${prefix}/`] }], MaxResults: 2 }));
  assert.deepEqual(first.SecretValues!.map((v) => v.SecretString), ['value-0', 'value-1']);
  assert.ok(first.NextToken);

  const seen: string[] = [];
  let pages = 0;
  for await (const page of paginateBatchGetSecretValue({ client: shared.client, pageSize: 2 }, { Filters: [{ Key: 'name', Values: [`${prefix}/`] }] })) {
    pages++;
    assert.deepEqual(page.Errors, []);
    seen.push(...page.SecretValues!.map((v) => v.Name!));
  }
  assert.equal(pages, 3);
  assert.deepEqual(seen, names);
});

test('BatchGetSecretValue with both or neither of SecretIdList and Filters is InvalidParameterException', async () => {
  await rejectsWith(shared.client.send(new BatchGetSecretValueCommand({})), 'InvalidParameterException');
  await rejectsWith(
    shared.client.send(new BatchGetSecretValueCommand({ SecretIdList: ['a'], Filters: [{ Key: 'name', Values: ['a'] }] })),
    'InvalidParameterException',
  );
  await rejectsWith(shared.client.send(new BatchGetSecretValueCommand({ SecretIdList: ['a'], MaxResults: 5 })), 'InvalidParameterException');
  await rejectsWith(
    shared.client.send(new BatchGetSecretValueCommand({ SecretIdList: Array.from({ length: 21 }, (_, i) => `s${i}`) })),
    'ValidationException',
  );
});

test('BatchGetSecretValue with an unreadable NextToken is InvalidNextTokenException', async () => {
  for (const NextToken of ['garbage', Buffer.from('{"v":false,"id":1}').toString('base64url')]) {
    await rejectsWith(
      shared.client.send(new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: ['batch'] }], NextToken })),
      'InvalidNextTokenException',
    );
  }
});

// --- GetRandomPassword ------------------------------------------------------------------------

const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

test('GetRandomPassword: 32 characters by default with every class present', async () => {
  const r = await shared.client.send(new GetRandomPasswordCommand({}));
  assert.equal(r.$metadata.httpStatusCode, 200);
  const pw = r.RandomPassword!;
  assert.equal(pw.length, 32);
  assert.match(pw, /[a-z]/);
  assert.match(pw, /[A-Z]/);
  assert.match(pw, /[0-9]/);
  assert.ok([...pw].some((c) => PUNCTUATION.includes(c)));
  assert.ok(![...pw].includes(' '));
});

test('GetRandomPassword honours length, class exclusions, ExcludeCharacters and IncludeSpace', async () => {
  assert.equal((await shared.client.send(new GetRandomPasswordCommand({ PasswordLength: 1, RequireEachIncludedType: false }))).RandomPassword!.length, 1);
  assert.equal((await shared.client.send(new GetRandomPasswordCommand({ PasswordLength: 4096 }))).RandomPassword!.length, 4096);

  const digits = await shared.client.send(
    new GetRandomPasswordCommand({ PasswordLength: 200, ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true }),
  );
  assert.match(digits.RandomPassword!, /^[0-9]{200}$/);

  const noAmbiguous = await shared.client.send(
    new GetRandomPasswordCommand({ PasswordLength: 500, ExcludeCharacters: 'abcdefghijklmnopqrstuvwxyz0O1lI', ExcludePunctuation: true }),
  );
  assert.match(noAmbiguous.RandomPassword!, /^[A-HJ-NP-Z2-9]{500}$/);

  const spaced = await shared.client.send(
    new GetRandomPasswordCommand({ PasswordLength: 50, IncludeSpace: true, ExcludeNumbers: true, ExcludePunctuation: true, ExcludeUppercase: true }),
  );
  assert.match(spaced.RandomPassword!, /^[a-z ]{50}$/);
  assert.ok(spaced.RandomPassword!.includes(' '), 'RequireEachIncludedType puts a space in');
});

test('GetRandomPassword errors: length out of range is ValidationException; nothing left to draw from is InvalidParameterException', async () => {
  await rejectsWith(shared.client.send(new GetRandomPasswordCommand({ PasswordLength: 0 })), 'ValidationException');
  await rejectsWith(shared.client.send(new GetRandomPasswordCommand({ PasswordLength: 4097 })), 'ValidationException');
  await rejectsWith(
    shared.client.send(new GetRandomPasswordCommand({ ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true })),
    'InvalidParameterException',
  );
  await rejectsWith(
    shared.client.send(new GetRandomPasswordCommand({ PasswordLength: 3 })),
    'InvalidParameterException',
    'Password length is too short based on the required types.',
  );
});

test('a generated password stores and reads back unchanged', async () => {
  const pw = (await shared.client.send(new GetRandomPasswordCommand({ PasswordLength: 64, IncludeSpace: true }))).RandomPassword!;
  const name = uniqueName('password/store');
  await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: pw }));
  assert.equal((await shared.client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, pw);
});
