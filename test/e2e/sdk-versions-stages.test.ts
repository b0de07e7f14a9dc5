import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
  paginateListSecretVersionIds,
} from '@aws-sdk/client-secrets-manager';
import { sharedServer } from '../support/coffer-server.js';
import { NOT_FOUND, rejectsWith, todayUtc, token, uniqueName } from '../support/sdk-errors.js';

const shared = sharedServer();

async function stagesOf(secretId: string): Promise<Record<string, string[]> | undefined> {
  return (await shared.client.send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages;
}

/** A secret with one string version; returns its name and that version's id. */
async function secretWithValue(prefix: string, value = 'v1'): Promise<{ name: string; v1: string; arn: string }> {
  const name = uniqueName(prefix);
  const v1 = token();
  const created = await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: value, ClientRequestToken: v1 }));
  return { name, v1, arn: created.ARN! };
}

const put = (SecretId: string, SecretString: string, ClientRequestToken = token(), VersionStages?: string[]) =>
  shared.client.send(new PutSecretValueCommand({ SecretId, SecretString, ClientRequestToken, VersionStages }));

// --- PutSecretValue ---------------------------------------------------------------------------

test('PutSecretValue moves AWSCURRENT to the new version and AWSPREVIOUS to the old one; the one before is deprecated', async () => {
  const { name, v1, arn } = await secretWithValue('put/moves');
  const v2 = token();
  const r2 = await put(name, 'v2', v2);
  assert.equal(r2.$metadata.httpStatusCode, 200);
  assert.equal(r2.ARN, arn);
  assert.equal(r2.Name, name);
  assert.equal(r2.VersionId, v2);
  assert.deepEqual(r2.VersionStages, ['AWSCURRENT']);
  assert.deepEqual(await stagesOf(name), { [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });

  const v3 = token();
  await put(name, 'v3', v3);
  assert.deepEqual(await stagesOf(name), { [v2]: ['AWSPREVIOUS'], [v3]: ['AWSCURRENT'] });
  assert.equal((await shared.client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'v3');
  assert.equal((await shared.client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' }))).SecretString, 'v2');
  // The deprecated first version stays readable by its id, without labels.
  const old = await shared.client.send(new GetSecretValueCommand({ SecretId: name, VersionId: v1 }));
  assert.equal(old.SecretString, 'v1');
  assert.deepEqual(old.VersionStages ?? [], []);
});

test('PutSecretValue as the first value of an empty secret gets AWSCURRENT, even with explicit VersionStages', async () => {
  const name = uniqueName('put/first');
  await shared.client.send(new CreateSecretCommand({ Name: name }));
  const v1 = token();
  const r = await put(name, 'first', v1, ['blue']);
  assert.deepEqual(r.VersionStages, ['AWSCURRENT', 'blue']);
  assert.deepEqual(await stagesOf(name), { [v1]: ['AWSCURRENT', 'blue'] });
  assert.equal((await shared.client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'first');
});

test('PutSecretValue with VersionStages not naming AWSCURRENT leaves AWSCURRENT where it was', async () => {
  const { name, v1 } = await secretWithValue('put/pending');
  const v2 = token();
  const r = await put(name, 'candidate', v2, ['AWSPENDING']);
  assert.deepEqual(r.VersionStages, ['AWSPENDING']);
  assert.deepEqual(await stagesOf(name), { [v1]: ['AWSCURRENT'], [v2]: ['AWSPENDING'] });
  assert.equal((await shared.client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'v1');
  assert.equal((await shared.client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' }))).SecretString, 'candidate');
});

test('PutSecretValue with custom labels moves each label from the version that had it', async () => {
  const { name, v1 } = await secretWithValue('put/custom');
  const v2 = token();
  await put(name, 'two', v2, ['blue', 'green']);
  assert.deepEqual(await stagesOf(name), { [v1]: ['AWSCURRENT'], [v2]: ['blue', 'green'] });
  const v3 = token();
  await put(name, 'three', v3, ['green']);
  assert.deepEqual(await stagesOf(name), { [v1]: ['AWSCURRENT'], [v2]: ['blue'], [v3]: ['green'] });
  assert.equal((await shared.client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'green' }))).SecretString, 'three');
});

test('PutSecretValue with AWSCURRENT and a custom label: the old current becomes AWSPREVIOUS', async () => {
  const { name, v1 } = await secretWithValue('put/current-and-custom');
  const v2 = token();
  const r = await put(name, 'two', v2, ['AWSCURRENT', 'release-7']);
  assert.deepEqual(r.VersionStages, ['AWSCURRENT', 'release-7']);
  assert.deepEqual(await stagesOf(name), { [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT', 'release-7'] });
});

test('a version losing AWSCURRENT through PutSecretValue ends with exactly AWSPREVIOUS (its AWSPENDING is dropped)', async () => {
  const { name, v1 } = await secretWithValue('put/drop-pending');
  await shared.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSPENDING', MoveToVersionId: v1 }));
  assert.deepEqual(await stagesOf(name), { [v1]: ['AWSCURRENT', 'AWSPENDING'] });
  const v2 = token();
  await put(name, 'two', v2);
  assert.deepEqual(await stagesOf(name), { [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });
});

test('PutSecretValue repeated with the same token and value returns that version and creates none', async () => {
  const { name } = await secretWithValue('put/idempotent');
  const v2 = token();
  const first = await put(name, 'two', v2);
  const again = await put(name, 'two', v2);
  assert.equal(again.VersionId, v2);
  assert.equal(again.ARN, first.ARN);
  assert.deepEqual(again.VersionStages, ['AWSCURRENT']);
  const versions = await shared.client.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
  assert.equal(versions.Versions!.length, 2);
});

test('PutSecretValue repeated with an older token and its value returns its current stages without moving labels', async () => {
  const { name, v1 } = await secretWithValue('put/idempotent-old', 'one');
  const v2 = token();
  await put(name, 'two', v2);
  const again = await put(name, 'one', v1);
  assert.equal(again.VersionId, v1);
  assert.deepEqual(again.VersionStages, ['AWSPREVIOUS']);
  assert.deepEqual(await stagesOf(name), { [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });
});

test('PutSecretValue repeated with the same token and another value is ResourceExistsException', async () => {
  const { name, v1, arn } = await secretWithValue('put/token-reuse');
  await rejectsWith(
    put(name, 'different', v1),
    'ResourceExistsException',
    `You can't use ClientRequestToken ${v1} because that value is already in use for a version of secret ${arn}.`,
  );
  assert.equal((await shared.client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'v1');
});

test('PutSecretValue without a value is InvalidRequestException; on an unknown secret ResourceNotFoundException', async () => {
  const { name } = await secretWithValue('put/no-value');
  await rejectsWith(
    shared.client.send(new PutSecretValueCommand({ SecretId: name })),
    'InvalidRequestException',
    'You must provide either SecretString or SecretBinary.',
  );
  await rejectsWith(put('put/unknown/secret', 'x'), 'ResourceNotFoundException', NOT_FOUND);
});

test('PutSecretValue of a binary value after a string one: each version keeps its own type', async () => {
  const { name, v1 } = await secretWithValue('put/binary');
  const v2 = token();
  await shared.client.send(new PutSecretValueCommand({ SecretId: name, SecretBinary: Buffer.from([0, 1, 2, 255]), ClientRequestToken: v2 }));
  const current = await shared.client.send(new GetSecretValueCommand({ SecretId: name }));
  assert.equal(current.SecretString, undefined);
  assert.deepEqual(Buffer.from(current.SecretBinary!), Buffer.from([0, 1, 2, 255]));
  const previous = await shared.client.send(new GetSecretValueCommand({ SecretId: name, VersionId: v1 }));
  assert.equal(previous.SecretString, 'v1');
  assert.equal(previous.SecretBinary, undefined);
});

// --- UpdateSecret -----------------------------------------------------------------------------

test('UpdateSecret with only a description returns no VersionId and creates no version', async () => {
  const { name, v1, arn } = await secretWithValue('update/description');
  const before = await shared.client.send(new DescribeSecretCommand({ SecretId: name }));
  await new Promise((r) => setTimeout(r, 20));
  const r = await shared.client.send(new UpdateSecretCommand({ SecretId: name, Description: 'now described' }));
  assert.equal(r.ARN, arn);
  assert.equal(r.Name, name);
  assert.equal(r.VersionId, undefined);
  const after = await shared.client.send(new DescribeSecretCommand({ SecretId: name }));
  assert.equal(after.Description, 'now described');
  assert.deepEqual(after.VersionIdsToStages, { [v1]: ['AWSCURRENT'] });
  assert.ok(after.LastChangedDate!.getTime() > before.LastChangedDate!.getTime());
});

test('UpdateSecret with a value creates an AWSCURRENT version whose id is the token', async () => {
  const { name, v1 } = await secretWithValue('update/value');
  const v2 = token();
  const r = await shared.client.send(new UpdateSecretCommand({ SecretId: name, SecretString: 'updated', ClientRequestToken: v2, Description: 'd' }));
  assert.equal(r.VersionId, v2);
  assert.deepEqual(await stagesOf(name), { [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });
  const value = await shared.client.send(new GetSecretValueCommand({ SecretId: name }));
  assert.equal(value.SecretString, 'updated');
  assert.equal((await shared.client.send(new DescribeSecretCommand({ SecretId: name }))).Description, 'd');
});

test('UpdateSecret with a value on a secret that has none makes the first AWSCURRENT version', async () => {
  const name = uniqueName('update/first');
  await shared.client.send(new CreateSecretCommand({ Name: name }));
  const v1 = token();
  const r = await shared.client.send(new UpdateSecretCommand({ SecretId: name, SecretBinary: Buffer.from('bin'), ClientRequestToken: v1 }));
  assert.equal(r.VersionId, v1);
  assert.deepEqual(await stagesOf(name), { [v1]: ['AWSCURRENT'] });
});

test('UpdateSecret idempotency: same token and value → same VersionId, no new version; another value → ResourceExistsException', async () => {
  const { name, arn } = await secretWithValue('update/idempotent');
  const v2 = token();
  await shared.client.send(new UpdateSecretCommand({ SecretId: name, SecretString: 'two', ClientRequestToken: v2 }));
  const again = await shared.client.send(new UpdateSecretCommand({ SecretId: name, SecretString: 'two', ClientRequestToken: v2 }));
  assert.equal(again.VersionId, v2);
  const versions = await shared.client.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
  assert.equal(versions.Versions!.length, 2);
  await rejectsWith(
    shared.client.send(new UpdateSecretCommand({ SecretId: name, SecretString: 'three', ClientRequestToken: v2 })),
    'ResourceExistsException',
    `You can't use ClientRequestToken ${v2} because that value is already in use for a version of secret ${arn}.`,
  );
  assert.equal((await shared.client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'two');
});

test('UpdateSecret of an unknown secret is ResourceNotFoundException', async () => {
  await rejectsWith(
    shared.client.send(new UpdateSecretCommand({ SecretId: 'update/unknown/secret', Description: 'x' })),
    'ResourceNotFoundException',
    NOT_FOUND,
  );
});

// --- UpdateSecretVersionStage -----------------------------------------------------------------

test('moving AWSCURRENT without RemoveFromVersionId is InvalidParameterException with the AWS message', async () => {
  const { name, v1 } = await secretWithValue('stage/current-needs-remove');
  const v2 = token();
  await put(name, 'two', v2, ['AWSPENDING']);
  await rejectsWith(
    shared.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: v2 })),
    'InvalidParameterException',
    `The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to version ${v1}, so you must explicitly reference that version in RemoveFromVersionId.`,
  );
  assert.deepEqual(await stagesOf(name), { [v1]: ['AWSCURRENT'], [v2]: ['AWSPENDING'] });
});

test('moving AWSCURRENT with RemoveFromVersionId: AWSPREVIOUS follows to the old version, AWSPENDING stays on the target', async () => {
  const { name, v1, arn } = await secretWithValue('stage/move-current');
  const v2 = token();
  await put(name, 'two', v2, ['AWSPENDING']);
  const r = await shared.client.send(
    new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: v2, RemoveFromVersionId: v1 }),
  );
  assert.equal(r.ARN, arn);
  assert.equal(r.Name, name);
  assert.deepEqual(await stagesOf(name), { [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT', 'AWSPENDING'] });
  assert.equal((await shared.client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'two');
});

test('moving AWSCURRENT back to the previous version swaps AWSCURRENT and AWSPREVIOUS', async () => {
  const { name, v1 } = await secretWithValue('stage/rollback');
  const v2 = token();
  await put(name, 'two', v2);
  await shared.client.send(
    new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: v1, RemoveFromVersionId: v2 }),
  );
  assert.deepEqual(await stagesOf(name), { [v1]: ['AWSCURRENT'], [v2]: ['AWSPREVIOUS'] });
});

test('removing a custom label deprecates a version left without labels; it can be labelled again', async () => {
  const { name, v1 } = await secretWithValue('stage/remove-custom');
  const v2 = token();
  await put(name, 'two', v2, ['canary']);
  await shared.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'canary', RemoveFromVersionId: v2 }));
  assert.deepEqual(await stagesOf(name), { [v1]: ['AWSCURRENT'] });
  await rejectsWith(
    shared.client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'canary' })),
    'ResourceNotFoundException',
    "Secrets Manager can't find the specified secret value for staging label: canary",
  );
  // Deprecated but still there: readable by id, listed only with IncludeDeprecated.
  assert.equal((await shared.client.send(new GetSecretValueCommand({ SecretId: name, VersionId: v2 }))).SecretString, 'two');
  const listed = await shared.client.send(new ListSecretVersionIdsCommand({ SecretId: name }));
  assert.deepEqual(listed.Versions!.map((v) => v.VersionId), [v1]);

  await shared.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'canary', MoveToVersionId: v2 }));
  assert.deepEqual(await stagesOf(name), { [v1]: ['AWSCURRENT'], [v2]: ['canary'] });
});

test('a custom label attached elsewhere moves only with the right RemoveFromVersionId', async () => {
  const { name, v1 } = await secretWithValue('stage/move-custom');
  const v2 = token();
  await put(name, 'two', v2, ['canary']);
  await rejectsWith(
    shared.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'canary', MoveToVersionId: v1 })),
    'InvalidParameterException',
  );
  await shared.client.send(
    new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'canary', MoveToVersionId: v1, RemoveFromVersionId: v2 }),
  );
  assert.deepEqual(await stagesOf(name), { [v1]: ['AWSCURRENT', 'canary'] });
});

test('a RemoveFromVersionId that does not hold the label is refused, also when moving', async () => {
  const { name, v1 } = await secretWithValue('stage/wrong-remove-from');
  const v2 = token();
  const v3 = token();
  await put(name, 'two', v2);
  await put(name, 'three', v3, ['canary']);
  // AWSCURRENT is on v2: naming v1 (which has no label) is wrong, not "empty".
  const wrong = await rejectsWith(
    shared.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: v3, RemoveFromVersionId: v1 })),
    'InvalidParameterException',
  );
  assert.ok(!wrong.message.includes("can't be empty"), wrong.message);
  assert.ok(wrong.message.includes(v1), wrong.message);
  // A label attached nowhere cannot be removed from a version either.
  await rejectsWith(
    shared.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'nowhere', MoveToVersionId: v3, RemoveFromVersionId: v2 })),
    'InvalidParameterException',
  );
  // Nor can a label that is already on the target be "removed" from another version.
  await rejectsWith(
    shared.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'canary', MoveToVersionId: v3, RemoveFromVersionId: v2 })),
    'InvalidParameterException',
  );
  assert.deepEqual(await stagesOf(name), { [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'], [v3]: ['canary'] });
});

test('UpdateSecretVersionStage errors: wrong RemoveFromVersionId, removing AWSCURRENT, unknown version, unknown secret', async () => {
  const { name, v1 } = await secretWithValue('stage/errors');
  const v2 = token();
  await put(name, 'two', v2, ['canary']);
  await rejectsWith(
    shared.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'canary', RemoveFromVersionId: v1 })),
    'InvalidParameterException',
  );
  await rejectsWith(
    shared.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', RemoveFromVersionId: v1 })),
    'InvalidParameterException',
  );
  await rejectsWith(
    shared.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'canary', MoveToVersionId: token(), RemoveFromVersionId: v2 })),
    'InvalidParameterException',
  );
  await rejectsWith(
    shared.client.send(new UpdateSecretVersionStageCommand({ SecretId: 'stage/unknown/secret', VersionStage: 'x', MoveToVersionId: v1 })),
    'ResourceNotFoundException',
    NOT_FOUND,
  );
  assert.deepEqual(await stagesOf(name), { [v1]: ['AWSCURRENT'], [v2]: ['canary'] });
});

// --- ListSecretVersionIds ---------------------------------------------------------------------

test('ListSecretVersionIds: labelled versions by default; IncludeDeprecated adds label-less ones without VersionStages', async () => {
  const { name, v1, arn } = await secretWithValue('versions/list');
  const v2 = token();
  const v3 = token();
  await put(name, 'two', v2);
  await put(name, 'three', v3);

  const plain = await shared.client.send(new ListSecretVersionIdsCommand({ SecretId: name }));
  assert.equal(plain.ARN, arn);
  assert.equal(plain.Name, name);
  assert.equal(plain.NextToken, undefined);
  const byId = new Map(plain.Versions!.map((v) => [v.VersionId!, v]));
  assert.deepEqual([...byId.keys()].sort(), [v2, v3].sort());
  assert.deepEqual(byId.get(v3)!.VersionStages, ['AWSCURRENT']);
  assert.deepEqual(byId.get(v2)!.VersionStages, ['AWSPREVIOUS']);
  assert.deepEqual(byId.get(v3)!.KmsKeyIds, ['DefaultEncryptionKey']);
  assert.ok(byId.get(v3)!.CreatedDate instanceof Date);

  const all = await shared.client.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
  const deprecated = all.Versions!.find((v) => v.VersionId === v1);
  assert.ok(deprecated, 'the deprecated version is listed');
  assert.equal('VersionStages' in deprecated, false, 'listed without a VersionStages key');
  assert.deepEqual(deprecated.KmsKeyIds, ['DefaultEncryptionKey']);
  assert.equal(all.Versions!.length, 3);
});

test('ListSecretVersionIds: each version that was read carries its own LastAccessedDate, by day', async () => {
  const { name, v1 } = await secretWithValue('versions/read');
  const v2 = token();
  await put(name, 'two', v2);
  const readDates = async () =>
    Object.fromEntries((await shared.client.send(new ListSecretVersionIdsCommand({ SecretId: name }))).Versions!.map((v) => [v.VersionId!, v.LastAccessedDate?.getTime()]));
  assert.deepEqual(await readDates(), { [v1]: undefined, [v2]: undefined }, 'no version read yet');
  await shared.client.send(new GetSecretValueCommand({ SecretId: name }));
  assert.deepEqual(await readDates(), { [v1]: undefined, [v2]: todayUtc().getTime() }, 'reading AWSCURRENT dates only its version');
  await shared.client.send(new GetSecretValueCommand({ SecretId: name, VersionId: v1 }));
  assert.deepEqual(await readDates(), { [v1]: todayUtc().getTime(), [v2]: todayUtc().getTime() });
});

test('ListSecretVersionIds pages with MaxResults/NextToken; the SDK paginator sees every version exactly once', async () => {
  const { name, v1 } = await secretWithValue('versions/pages');
  const ids = [v1];
  for (let i = 2; i <= 5; i++) {
    const id = token();
    ids.push(id);
    await put(name, `v${i}`, id);
  }
  const first = await shared.client.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true, MaxResults: 2 }));
  assert.equal(first.Versions!.length, 2);
  assert.ok(first.NextToken);

  const seen: string[] = [];
  let pages = 0;
  for await (const page of paginateListSecretVersionIds({ client: shared.client, pageSize: 2 }, { SecretId: name, IncludeDeprecated: true })) {
    pages++;
    assert.ok(page.Versions!.length <= 2);
    seen.push(...page.Versions!.map((v) => v.VersionId!));
  }
  assert.equal(pages, 3);
  assert.equal(seen.length, 5);
  assert.deepEqual([...seen].sort(), [...ids].sort());
});

test('ListSecretVersionIds pagination neither repeats nor skips a version when one is written between pages', async () => {
  const { name, v1 } = await secretWithValue('versions/pages-while-writing');
  const v2 = token();
  const v3 = token();
  await put(name, 'two', v2, ['a']);
  await put(name, 'three', v3, ['b']);
  const first = await shared.client.send(new ListSecretVersionIdsCommand({ SecretId: name, MaxResults: 2 }));
  assert.ok(first.NextToken);
  await put(name, 'four', token(), ['c']);
  const second = await shared.client.send(new ListSecretVersionIdsCommand({ SecretId: name, MaxResults: 2, NextToken: first.NextToken }));
  const seen = [...first.Versions!, ...second.Versions!].map((v) => v.VersionId!);
  assert.equal(new Set(seen).size, seen.length, `no version twice: ${seen.join(', ')}`);
  for (const id of [v1, v2, v3]) assert.ok(seen.includes(id), `${id} listed`);
});

test('ListSecretVersionIds with a bad NextToken is InvalidNextTokenException; unknown secret ResourceNotFoundException', async () => {
  const { name } = await secretWithValue('versions/bad-token');
  await rejectsWith(
    shared.client.send(new ListSecretVersionIdsCommand({ SecretId: name, NextToken: 'not-a-token' })),
    'InvalidNextTokenException',
  );
  await rejectsWith(
    shared.client.send(new ListSecretVersionIdsCommand({ SecretId: 'versions/unknown/secret' })),
    'ResourceNotFoundException',
    NOT_FOUND,
  );
});
