// KMS key tags and key policies with @aws-sdk/client-kms against a live server:
// TagResource / UntagResource / ListResourceTags with their TagException and
// validation cases, and GetKeyPolicy / PutKeyPolicy / ListKeyPolicies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  CreateKeyCommand,
  GetKeyPolicyCommand,
  ListKeyPoliciesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type Tag,
} from '@aws-sdk/client-kms';
import { rejectsWith } from '../support/sdk-errors.js';
import { ACCOUNT, KmsMessages, createKey, describeKey, keyArnOf, refused, sharedKmsServer, type Key } from '../support/kms-client.js';

const shared = sharedKmsServer();

const tag = (TagKey: string, TagValue = ''): Tag => ({ TagKey, TagValue });
const byKey = (tags: Tag[]) => [...tags].sort((a, b) => a.TagKey!.localeCompare(b.TagKey!));
/** `n` distinct tags `k0`..`k<n-1>`. */
const manyTags = (n: number, prefix = 'k') => Array.from({ length: n }, (_, i) => tag(`${prefix}${i}`, `v${i}`));

/** All of a key's tags, following Marker across pages of `limit`. */
async function allTags(keyId: string, limit?: number): Promise<Tag[]> {
  const tags: Tag[] = [];
  let marker: string | undefined;
  do {
    const page = await shared.kms.send(new ListResourceTagsCommand({ KeyId: keyId, Limit: limit, Marker: marker }));
    if (limit) assert.ok(page.Tags!.length <= limit, `page of ${page.Tags!.length} > Limit ${limit}`);
    assert.equal(page.Truncated, page.NextMarker !== undefined, 'Truncated iff NextMarker');
    tags.push(...page.Tags!);
    marker = page.NextMarker;
  } while (marker);
  return tags;
}

const tagKey = (key: Key, tags: Tag[]) => shared.kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: tags }));

async function keyCount(): Promise<number> {
  return (await shared.kms.send(new ListKeysCommand({ Limit: 1000 }))).Keys!.length;
}

// --- Tags -------------------------------------------------------------------------------------

test('CreateKey with Tags: ListResourceTags returns them; a key without tags lists []', async () => {
  const tags = [tag('team', 'payments'), tag('env', 'prod'), tag('empty', '')];
  const key = await createKey(shared.kms, { Tags: tags });
  assert.deepEqual(byKey(await allTags(key.KeyId)), byKey(tags));
  const bare = await createKey(shared.kms);
  const listed = await shared.kms.send(new ListResourceTagsCommand({ KeyId: bare.KeyId }));
  assert.deepEqual(listed.Tags, []);
  assert.equal(listed.Truncated, false);
});

test('TagResource adds and replaces values; UntagResource removes, ignoring keys that are not there', async () => {
  const key = await createKey(shared.kms, { Tags: [tag('a', '1'), tag('b', '2')] });
  await shared.kms.send(new TagResourceCommand({ KeyId: key.Arn, Tags: [tag('b', 'two'), tag('c', '3')] }));
  assert.deepEqual(byKey(await allTags(key.Arn)), [tag('a', '1'), tag('b', 'two'), tag('c', '3')]);
  await shared.kms.send(new UntagResourceCommand({ KeyId: key.KeyId, TagKeys: ['a', 'not-there'] }));
  assert.deepEqual(byKey(await allTags(key.KeyId)), [tag('b', 'two'), tag('c', '3')]);
  // Tag keys are case-sensitive.
  await shared.kms.send(new UntagResourceCommand({ KeyId: key.KeyId, TagKeys: ['B'] }));
  assert.equal((await allTags(key.KeyId)).length, 2);
});

test('ListResourceTags pages with Limit and Marker', async () => {
  const tags = manyTags(5);
  const key = await createKey(shared.kms, { Tags: tags });
  const first = await shared.kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 2 }));
  assert.equal(first.Tags!.length, 2);
  assert.equal(first.Truncated, true);
  assert.ok(first.NextMarker);
  const paged = await allTags(key.KeyId, 2);
  assert.equal(new Set(paged.map((t) => t.TagKey)).size, 5, 'a tag listed twice');
  assert.deepEqual(byKey(paged), byKey(tags));
  await rejectsWith(shared.kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 0 })), 'ValidationException');
});

test('ListResourceTags with Limit over 50 is ValidationException (documented range 1-50, narrower than the model\'s)', async () => {
  const key = await createKey(shared.kms);
  await rejectsWith(shared.kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 51 })), 'ValidationException');
});

test('TagException: aws: prefix in any case, duplicate keys, more than 50 tags; nothing is applied', async () => {
  const key = await createKey(shared.kms, { Tags: [tag('keep', 'me')] });
  const cases: Array<[Tag[], string]> = [
    [[tag('aws:owner', 'x')], 'Tags beginning with aws: are reserved'],
    [[tag('ok', 'x'), tag('AWS:Owner', 'x')], 'Tags beginning with aws: are reserved'],
    [[tag('dup', '1'), tag('dup', '2')], 'Duplicate tag keys'],
    [manyTags(51), 'Too many tags'],
  ];
  for (const [tags, message] of cases) {
    await rejectsWith(tagKey(key, tags), 'TagException', message);
  }
  assert.deepEqual(await allTags(key.KeyId), [tag('keep', 'me')]);
});

test('50 tags per key: up to 50 is fine, one more is TagException "Too many tags"', async () => {
  const key = await createKey(shared.kms, { Tags: manyTags(49) });
  await tagKey(key, [tag('fiftieth', 'x')]);
  // Replacing a value adds no tag.
  await tagKey(key, [tag('k0', 'new')]);
  await rejectsWith(tagKey(key, [tag('fifty-first', 'x')]), 'TagException', 'Too many tags');
  assert.equal((await allTags(key.KeyId)).length, 50);
});

test('CreateKey with bad tags is TagException and creates no key', async () => {
  const before = await keyCount();
  await rejectsWith(shared.kms.send(new CreateKeyCommand({ Tags: [tag('aws:x', 'y')] })), 'TagException', 'Tags beginning with aws: are reserved');
  await rejectsWith(shared.kms.send(new CreateKeyCommand({ Tags: [tag('d'), tag('d')] })), 'TagException', 'Duplicate tag keys');
  assert.equal(await keyCount(), before);
});

test('a tag key over 128 or value over 256 characters is ValidationException', async () => {
  const key = await createKey(shared.kms);
  await tagKey(key, [tag('k'.repeat(128), 'v'.repeat(256))]);
  await rejectsWith(
    tagKey(key, [tag('k'.repeat(129), 'v')]),
    'ValidationException',
    /'tags\.1\.member\.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128/,
  );
  await rejectsWith(
    tagKey(key, [tag('ok', 'v'.repeat(257))]),
    'ValidationException',
    /'tags\.1\.member\.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256/,
  );
  await rejectsWith(tagKey(key, [tag('', 'v')]), 'ValidationException');
});

test('tags on a key pending deletion: changes are KMSInvalidStateException, listing works', async () => {
  const key = await createKey(shared.kms, { Tags: [tag('a', '1')] });
  await shared.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
  const message = KmsMessages.pendingDeletion(key.Arn);
  await rejectsWith(tagKey(key, [tag('b', '2')]), 'KMSInvalidStateException', message);
  await rejectsWith(shared.kms.send(new UntagResourceCommand({ KeyId: key.KeyId, TagKeys: ['a'] })), 'KMSInvalidStateException', message);
  assert.deepEqual(await allTags(key.KeyId), [tag('a', '1')]);
});

test('tag operations on an unknown key are NotFoundException', async () => {
  const missing = randomUUID();
  const message = KmsMessages.keyNotFound(keyArnOf(missing));
  await rejectsWith(shared.kms.send(new TagResourceCommand({ KeyId: missing, Tags: [tag('a', '1')] })), 'NotFoundException', message);
  await rejectsWith(shared.kms.send(new UntagResourceCommand({ KeyId: missing, TagKeys: ['a'] })), 'NotFoundException', message);
  await rejectsWith(shared.kms.send(new ListResourceTagsCommand({ KeyId: missing })), 'NotFoundException', message);
});

test('the AWS-managed key cannot be tagged', async () => {
  const managed = await describeKey(shared.kms, 'alias/aws/secretsmanager');
  await refused(shared.kms.send(new TagResourceCommand({ KeyId: managed.KeyId, Tags: [tag('team', 'x')] })), 'TagResource on the AWS-managed key');
  await refused(shared.kms.send(new UntagResourceCommand({ KeyId: managed.KeyId, TagKeys: ['team'] })), 'UntagResource on the AWS-managed key');
});

// --- Key policy -------------------------------------------------------------------------------

const ROOT = `arn:aws:iam::${ACCOUNT}:root`;

/** A valid policy that keeps the account in control of the key, told apart by `sid`. */
function policy(sid: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: `policy-${sid}`,
    Statement: [
      { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
      { Sid: sid, Effect: 'Allow', Principal: { AWS: ROOT }, Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' },
    ],
  });
}

async function getPolicy(keyId: string): Promise<{ name?: string; document: any }> {
  const out = await shared.kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }));
  return { name: out.PolicyName, document: JSON.parse(out.Policy!) };
}

test('a key created without Policy gets the default key policy: the account root may use IAM for kms:*', async () => {
  const key = await createKey(shared.kms);
  const { name, document } = await getPolicy(key.KeyId);
  assert.equal(name, 'default');
  assert.equal(document.Version, '2012-10-17');
  assert.deepEqual(document.Statement, [
    { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
  ]);
  // PolicyName may be left out: "default" is the only policy.
  const unnamed = await shared.kms.send(new GetKeyPolicyCommand({ KeyId: key.Arn }));
  assert.deepEqual(JSON.parse(unnamed.Policy!), document);
  const names = await shared.kms.send(new ListKeyPoliciesCommand({ KeyId: key.KeyId }));
  assert.deepEqual(names.PolicyNames, ['default']);
  assert.equal(names.Truncated, false);
});

test('CreateKey with a Policy stores it: GetKeyPolicy returns it', async () => {
  const given = policy('CreatedWith');
  const key = await createKey(shared.kms, { Policy: given });
  assert.deepEqual((await getPolicy(key.KeyId)).document, JSON.parse(given));
});

test('PutKeyPolicy replaces the policy', async () => {
  const key = await createKey(shared.kms, { Policy: policy('First') });
  const replacement = policy('Second');
  await shared.kms.send(new PutKeyPolicyCommand({ KeyId: key.Arn, PolicyName: 'default', Policy: replacement }));
  assert.deepEqual((await getPolicy(key.KeyId)).document, JSON.parse(replacement));
});

test('a policy that is not JSON is MalformedPolicyDocumentException; the old policy stays', async () => {
  const before = await keyCount();
  await rejectsWith(shared.kms.send(new CreateKeyCommand({ Policy: '{"Version": "2012-10-17", "Statement": [' })), 'MalformedPolicyDocumentException');
  assert.equal(await keyCount(), before, 'a key was created');

  const key = await createKey(shared.kms, { Policy: policy('Kept') });
  await rejectsWith(
    shared.kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default', Policy: 'not a policy' })),
    'MalformedPolicyDocumentException',
  );
  assert.deepEqual((await getPolicy(key.KeyId)).document, JSON.parse(policy('Kept')));
});

test('a policy over 32 KB is LimitExceededException', async () => {
  const key = await createKey(shared.kms);
  const big = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
      { Sid: 'Padding', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:pad': 'x'.repeat(33_000) } } },
    ],
  });
  await rejectsWith(shared.kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default', Policy: big })), 'LimitExceededException');
});

test('the AWS-managed key\'s policy can be read but not replaced', async () => {
  const managed = await describeKey(shared.kms, 'alias/aws/secretsmanager');
  const { document } = await getPolicy(managed.KeyId);
  assert.ok(Array.isArray(document.Statement) && document.Statement.length > 0, 'no statements in the AWS-managed key policy');
  await refused(
    shared.kms.send(new PutKeyPolicyCommand({ KeyId: managed.KeyId, PolicyName: 'default', Policy: policy('Takeover') })),
    'PutKeyPolicy on the AWS-managed key',
  );
  assert.deepEqual((await getPolicy(managed.KeyId)).document, document);
});
