import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { sharedServer } from '../support/coffer-server.js';
import { MARKED_FOR_DELETION, NOT_FOUND, rejectsWith, token, uniqueName } from '../support/sdk-errors.js';

const DAY_MS = 24 * 60 * 60 * 1000;

// The sweeper runs every second throughout this file: no test may see an early purge.
const shared = sharedServer({ args: ['--sweep-interval', '1'] });

async function newSecret(prefix: string) {
  const name = uniqueName(prefix);
  const v1 = token();
  const created = await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'value', ClientRequestToken: v1 }));
  return { name, v1, arn: created.ARN! };
}

/** Asserts `date` is `days` days after a moment in [before, after], give or take a second. */
function assertDaysAfter(date: Date | undefined, days: number, before: number, after: number) {
  assert.ok(date instanceof Date);
  const t = date.getTime();
  assert.ok(t >= before + days * DAY_MS - 1000 && t <= after + days * DAY_MS + 1000, `${date.toISOString()} is not ${days} days on`);
}

test('DeleteSecret schedules deletion: default window 30 days, explicit 7 and 30 accepted', async () => {
  for (const days of [undefined, 7, 30]) {
    const { name, arn } = await newSecret('delete/window');
    const before = Date.now();
    const r = await shared.client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: days }));
    const after = Date.now();
    assert.equal(r.$metadata.httpStatusCode, 200);
    assert.equal(r.ARN, arn);
    assert.equal(r.Name, name);
    assertDaysAfter(r.DeletionDate, days ?? 30, before, after);
  }
});

test('DeleteSecret with a window outside 7–30 is InvalidParameterException and deletes nothing', async () => {
  const { name } = await newSecret('delete/out-of-range');
  for (const days of [6, 31, 0]) {
    await rejectsWith(
      shared.client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: days })),
      'InvalidParameterException',
      'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).',
    );
  }
  assert.equal((await shared.client.send(new DescribeSecretCommand({ SecretId: name }))).DeletedDate, undefined);
});

test('ForceDeleteWithoutRecovery together with RecoveryWindowInDays is InvalidParameterException; with false it is fine', async () => {
  const { name } = await newSecret('delete/force-and-window');
  await rejectsWith(
    shared.client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true })),
    'InvalidParameterException',
    "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
  );
  assert.equal((await shared.client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'value');
  const r = await shared.client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: false }));
  assert.ok(r.DeletionDate instanceof Date);
});

test('a secret scheduled for deletion refuses reads and writes with InvalidRequestException', async () => {
  const { name, v1 } = await newSecret('delete/scheduled');
  await shared.client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
  const refused: (() => Promise<unknown>)[] = [
    () => shared.client.send(new GetSecretValueCommand({ SecretId: name })),
    () => shared.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'new' })),
    () => shared.client.send(new UpdateSecretCommand({ SecretId: name, Description: 'new' })),
    () => shared.client.send(new UpdateSecretCommand({ SecretId: name, SecretString: 'new' })),
    () => shared.client.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'k', Value: 'v' }] })),
    () => shared.client.send(new UntagResourceCommand({ SecretId: name, TagKeys: ['k'] })),
    () => shared.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'blue', MoveToVersionId: v1 })),
  ];
  for (const call of refused) await rejectsWith(call(), 'InvalidRequestException', MARKED_FOR_DELETION);
});

test('DescribeSecret of a scheduled secret works and shows DeletedDate; second DeleteSecret is InvalidRequestException', async () => {
  const { name, v1, arn } = await newSecret('delete/describe');
  const before = Date.now();
  await shared.client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
  const after = Date.now();
  const described = await shared.client.send(new DescribeSecretCommand({ SecretId: arn }));
  assert.equal(described.Name, name);
  assertDaysAfter(described.DeletedDate, 0, before, after);
  assert.deepEqual(described.VersionIdsToStages, { [v1]: ['AWSCURRENT'] });
  const versions = await shared.client.send(new ListSecretVersionIdsCommand({ SecretId: name }));
  assert.deepEqual(versions.Versions!.map((v) => v.VersionId), [v1]);

  await rejectsWith(shared.client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 })), 'InvalidRequestException');
  await rejectsWith(shared.client.send(new DeleteSecretCommand({ SecretId: name })), 'InvalidRequestException');
});

test('CreateSecret with the name of a scheduled secret is InvalidRequestException', async () => {
  const { name } = await newSecret('delete/recreate-scheduled');
  await shared.client.send(new DeleteSecretCommand({ SecretId: name }));
  await rejectsWith(
    shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'again' })),
    'InvalidRequestException',
    "You can't create this secret because a secret with this name is already scheduled for deletion.",
  );
});

test('RestoreSecret cancels the deletion: the secret, its value and its versions are back', async () => {
  const { name, v1, arn } = await newSecret('delete/restore');
  await shared.client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
  const r = await shared.client.send(new RestoreSecretCommand({ SecretId: name }));
  assert.equal(r.$metadata.httpStatusCode, 200);
  assert.equal(r.ARN, arn);
  assert.equal(r.Name, name);
  const described = await shared.client.send(new DescribeSecretCommand({ SecretId: name }));
  assert.equal(described.DeletedDate, undefined);
  assert.deepEqual(described.VersionIdsToStages, { [v1]: ['AWSCURRENT'] });
  assert.equal((await shared.client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'value');
  await shared.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'after restore' }));
  assert.equal((await shared.client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'after restore');
});

test('RestoreSecret of an unknown secret is ResourceNotFoundException', async () => {
  await rejectsWith(shared.client.send(new RestoreSecretCommand({ SecretId: 'delete/unknown/secret' })), 'ResourceNotFoundException', NOT_FOUND);
});

test('DeleteSecret of an unknown secret is ResourceNotFoundException; a forced one succeeds', async () => {
  await rejectsWith(shared.client.send(new DeleteSecretCommand({ SecretId: 'delete/unknown/one' })), 'ResourceNotFoundException', NOT_FOUND);
  const forced = await shared.client.send(new DeleteSecretCommand({ SecretId: 'delete/unknown/two', ForceDeleteWithoutRecovery: true }));
  assert.equal(forced.$metadata.httpStatusCode, 200);
  assert.ok(forced.DeletionDate instanceof Date);
});

test('ForceDeleteWithoutRecovery purges at once and frees the name; a re-create gets a new ARN suffix', async () => {
  const { name, arn } = await newSecret('delete/force');
  const before = Date.now();
  const r = await shared.client.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
  assert.equal(r.ARN, arn);
  assert.equal(r.Name, name);
  assertDaysAfter(r.DeletionDate, 0, before, Date.now());
  await rejectsWith(shared.client.send(new DescribeSecretCommand({ SecretId: name })), 'ResourceNotFoundException', NOT_FOUND);
  await rejectsWith(shared.client.send(new GetSecretValueCommand({ SecretId: arn })), 'ResourceNotFoundException', NOT_FOUND);

  const again = await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'reborn' }));
  assert.notEqual(again.ARN, arn);
  assert.equal(again.ARN!.slice(0, -6), arn.slice(0, -6));
  assert.match(again.ARN!.slice(-6), /^[A-Za-z0-9]{6}$/);
  // The old ARN still names nothing; the new one (and the name) the new secret.
  await rejectsWith(shared.client.send(new GetSecretValueCommand({ SecretId: arn })), 'ResourceNotFoundException', NOT_FOUND);
  assert.equal((await shared.client.send(new GetSecretValueCommand({ SecretId: again.ARN }))).SecretString, 'reborn');
  const versions = await shared.client.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
  assert.equal(versions.Versions!.length, 1, 'no versions survive the purge');
});

test('ForceDeleteWithoutRecovery of a secret already scheduled purges it', async () => {
  const { name } = await newSecret('delete/force-scheduled');
  await shared.client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
  await shared.client.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
  await rejectsWith(shared.client.send(new DescribeSecretCommand({ SecretId: name })), 'ResourceNotFoundException', NOT_FOUND);
  await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'fresh' }));
});

test('the sweeper does not purge a secret before its recovery window ends', async () => {
  const { name } = await newSecret('delete/sweeper');
  await shared.client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
  await new Promise((resolve) => setTimeout(resolve, 2500)); // at least two sweeps
  const described = await shared.client.send(new DescribeSecretCommand({ SecretId: name }));
  assert.ok(described.DeletedDate instanceof Date);
  await shared.client.send(new RestoreSecretCommand({ SecretId: name }));
  assert.equal((await shared.client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'value');
  const log = existsSync(shared.server.logFile) ? readFileSync(shared.server.logFile, 'utf8') : '';
  assert.ok(!log.includes('background sweep failed'), 'the sweeps ran without error');
});
