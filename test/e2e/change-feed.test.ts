// The change feed (CofferChangeFeed.GetChanges) on a live server: what each write says, in
// commit order and once, long polling, authorization per secret, regions, cursors, the audit.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { clientConfig, PROJECT_ROOT, sharedServer } from '../support/coffer-server.js';
import { uniqueName } from '../support/sdk-errors.js';
import { iamQuery } from '../support/iam-query.js';
import { rawClientFor } from '../support/raw-client.js';
import { requireTool } from '../support/child-process.js';
import { createRotationFunction, rotationEnded } from '../rotation/rotation-e2e.js';
import { ApiError, postSignedJson } from '../../src/client/signed-json-request.js';
import type { RawCredentials } from '../support/raw-client.js';
import type { SecretChangeEvent } from '../../src/client/change-follower.js';

const shared = sharedServer();

type Change = SecretChangeEvent;

function getChanges(input: object, credentials?: RawCredentials, region = shared.server.region): Promise<{ Changes: Change[]; NextCursor: string }> {
  const { server } = shared;
  return postSignedJson(
    { endpoint: new URL(server.url), region, credentials: credentials ?? { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey } },
    'coffer',
    'CofferChangeFeed.GetChanges',
    input,
  ) as Promise<{ Changes: Change[]; NextCursor: string }>;
}

const now = async (credentials?: RawCredentials) => (await getChanges({}, credentials)).NextCursor;

/** The changes to the named secrets after `cursor`, with what each says. */
async function changesOf(cursor: string, names: string[], credentials?: RawCredentials): Promise<Change[]> {
  const { Changes } = await getChanges({ Cursor: cursor }, credentials);
  return Changes.filter((c) => names.includes(c.Name));
}

test('each write says what changed, in commit order, once: versions, labels, metadata, deletion, restore', async () => {
  const sm = shared.client;
  const name = uniqueName('feed/app');
  const start = await now();
  const created = await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'one' }));
  const put = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'two' }));
  await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'BLUE', MoveToVersionId: created.VersionId }));
  await sm.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'team', Value: 'core' }] }));
  const deleted = await sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
  await sm.send(new RestoreSecretCommand({ SecretId: name }));

  const changes = await changesOf(start, [name]);
  assert.deepEqual(changes.map((c) => c.Type), ['SecretCreated', 'VersionCreated', 'VersionCreated', 'StagesChanged', 'SecretUpdated', 'SecretDeleted', 'SecretRestored']);
  for (const c of changes) {
    assert.equal(c.ARN, created.ARN);
    assert.ok(Math.abs(c.Date * 1000 - Date.now()) < 60_000);
  }
  assert.deepEqual(changes[1], { ...changes[1], VersionId: created.VersionId, VersionIdsToStages: { [created.VersionId!]: ['AWSCURRENT'] } });
  assert.deepEqual(changes[2]!.VersionIdsToStages, { [created.VersionId!]: ['AWSPREVIOUS'], [put.VersionId!]: ['AWSCURRENT'] });
  assert.deepEqual(changes[3]!.VersionIdsToStages, { [created.VersionId!]: ['AWSPREVIOUS', 'BLUE'], [put.VersionId!]: ['AWSCURRENT'] });
  assert.equal(changes[5]!.DeletionDate, deleted.DeletionDate!.getTime() / 1000);

  // Nothing twice: the cursor after these changes has none of them.
  const { NextCursor } = await getChanges({ Cursor: start, MaxResults: 1000 });
  assert.deepEqual(await changesOf(NextCursor, [name]), []);
  const forced = await sm.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
  assert.deepEqual((await changesOf(NextCursor, [name])).map((c) => [c.Type, c.ARN]), [['SecretPurged', forced.ARN]]);
});

test('a long poll answers as soon as a change comes, and pages resume where the last one ended', async () => {
  const sm = shared.client;
  const name = uniqueName('feed/poll');
  await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v0' }));
  let cursor = await now();
  const started = Date.now();
  const polled = getChanges({ Cursor: cursor, WaitTimeSeconds: 10, SecretIds: [name] });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const put = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v1' }));
  const answer = await polled;
  const waited = Date.now() - started;
  assert.ok(waited >= 300 && waited < 2000, `answered after ${waited} ms`);
  assert.deepEqual(answer.Changes.map((c) => [c.Type, c.VersionId]), [['VersionCreated', put.VersionId]]);

  cursor = answer.NextCursor;
  for (let i = 0; i < 5; i++) await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: `p${i}` }));
  const seen: string[] = [];
  for (let page = 0; page < 10 && seen.length < 5; page++) {
    const { Changes, NextCursor } = await getChanges({ Cursor: cursor, MaxResults: 2, SecretIds: [name] });
    assert.ok(Changes.length <= 2);
    seen.push(...Changes.map((c) => c.VersionId!));
    cursor = NextCursor;
  }
  assert.equal(new Set(seen).size, 5);
  const quiet = Date.now();
  assert.deepEqual((await getChanges({ Cursor: cursor, WaitTimeSeconds: 1, SecretIds: [name] })).Changes, []);
  assert.ok(Date.now() - quiet >= 900, 'an empty poll waits its time');
});

test('a caller hears only of secrets it may DescribeSecret in the region it signs for, and each poll is audited', async () => {
  const { server, client: sm } = shared;
  const iam = iamQuery(server);
  const mine = uniqueName('feed-team/app');
  const theirs = uniqueName('feed-other/app');
  const user = await iam.userWith('feed-reader', [
    { Effect: 'Allow', Action: 'secretsmanager:DescribeSecret', Resource: `arn:aws:secretsmanager:*:*:secret:feed-team/*` },
  ]);
  const start = await now(user.credentials);
  await sm.send(new CreateSecretCommand({ Name: mine, SecretString: 'x' }));
  await sm.send(new CreateSecretCommand({ Name: theirs, SecretString: 'y' }));
  const west = new SecretsManagerClient(clientConfig(server, 'eu-west-1'));
  try {
    await west.send(new CreateSecretCommand({ Name: mine, SecretString: 'elsewhere' }));
  } finally {
    west.destroy();
  }
  const { Changes } = await getChanges({ Cursor: start }, user.credentials);
  assert.deepEqual(
    Changes.filter((c) => c.Name.startsWith('feed-')).map((c) => [c.Type, c.Name, c.ARN.split(':')[3]]),
    [['SecretCreated', mine, 'us-east-1'], ['VersionCreated', mine, 'us-east-1']],
  );
  const westward = await getChanges({ Cursor: (await getChanges({}, user.credentials, 'eu-west-1')).NextCursor }, user.credentials, 'eu-west-1');
  assert.deepEqual(westward.Changes, []);

  const lookup = await rawClientFor(server).call(
    'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents',
    { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: user.userName }] },
    { sign: { service: 'cloudtrail' } },
  );
  const events = (lookup.json.Events as { EventName: string; CloudTrailEvent: string }[]).filter((e) => e.EventName === 'GetChanges');
  assert.equal(events.length, 2, lookup.text);
  assert.match(events[0]!.CloudTrailEvent, /"eventSource":"change-feed\.coffer"/);
});

test('an expired or foreign cursor is refused as such; a request the model refuses is a validation error', async () => {
  const reject = async (input: object, code: string, message: RegExp) => {
    const error = await getChanges(input).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, message);
  };
  await reject({ Cursor: 's999999999' }, 'ExpiredCursorException', /Call again without a Cursor/);
  await reject({ Cursor: 'not-a-cursor' }, 'InvalidParameterException', /not one Coffer gave/);
  await reject({ WaitTimeSeconds: 21 }, 'ValidationException', /waitTimeSeconds/);
});

test('a rotation says it started, moved its labels and succeeded', async (t: TestContext) => {
  const { server, client: sm } = shared;
  if (!(await requireTool(t, 'boto3', 'python3', ['-c', 'import boto3']))) return;
  const example = join(PROJECT_ROOT, 'examples/rotation');
  const fn = await createRotationFunction(server, 'feed-rotator', `python3 ${example}/run-lambda.py ${example}/lambda_function.py`);
  const name = uniqueName('feed/rotated');
  await sm.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ api_key: 'original' }) }));
  const start = await now();
  const { VersionId } = await sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn, RotationRules: { AutomaticallyAfterDays: 30 } }));
  assert.equal(await rotationEnded(server, sm, name, VersionId!), 'succeeded');
  const changes = await changesOf(start, [name]);
  assert.deepEqual(changes.map((c) => c.Type), ['RotationStarted', 'VersionCreated', 'StagesChanged', 'RotationSucceeded']);
  assert.deepEqual(changes[0]!.VersionIdsToStages![VersionId!], ['AWSPENDING']);
  const succeeded = changes.at(-1)!;
  assert.equal(succeeded.Type, 'RotationSucceeded');
  assert.equal(succeeded.VersionId, VersionId);
  assert.deepEqual(succeeded.VersionIdsToStages![VersionId!], ['AWSCURRENT']);
});
