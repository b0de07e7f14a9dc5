// Built-in rotators make their Secrets Manager calls as any client does: signed requests
// to the server's own endpoint with the rotation's session credentials. So each call is
// validated against the model, authorized and recorded in the audit log, one record per
// call; nothing reaches an operation handler past the front end.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { sharedServer } from '../support/coffer-server.js';
import { rawClientFor } from '../support/raw-client.js';
import { rejectsWith, uniqueName } from '../support/sdk-errors.js';
import { createRotationFunction, failureOf, rotationEnded } from '../rotation/rotation-e2e.js';
import { requireServer } from '../rotation/rotators/rotation-harness.js';

const LOOKUP = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents';
const SECRET_STRING_LIMIT = 65_536;
const shared = sharedServer();

/** Runs `work` with a superuser connection to the local PostgreSQL (skipped, or failed under CI, without one). */
async function withPostgres(t: TestContext, work: (sql: (text: string) => Promise<unknown>) => Promise<void>): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 5000 });
  const connected = client.connect();
  if (!(await requireServer(t, 'PostgreSQL at 127.0.0.1:5432', () => connected))) return;
  try {
    await work((text) => client.query(text));
  } finally {
    await client.end();
  }
}

/** Every audit record matching one lookup attribute, through CloudTrail's LookupEvents. */
async function lookup(key: string, value: string): Promise<Array<{ EventName: string; AccessKeyId?: string; CloudTrailEvent: string }>> {
  const events = [];
  let NextToken: string | undefined;
  do {
    const res = await rawClientFor(shared.server).call(LOOKUP, { LookupAttributes: [{ AttributeKey: key, AttributeValue: value }], NextToken }, { sign: { service: 'cloudtrail' } });
    assert.equal(res.status, 200, res.text);
    events.push(...res.json.Events);
    NextToken = res.json.NextToken;
  } while (NextToken);
  return events;
}

const secretValue = (role: string, extra: object = {}) => ({ engine: 'postgres', host: '127.0.0.1', port: 5432, dbname: 'postgres', username: role, password: 'first-password', ...extra });

test('a built-in rotation leaves one audit record for each API call of each step, made with its own session', async (t) => {
  await withPostgres(t, async (sql) => {
    const role = `front_door_${randomBytes(4).toString('hex')}`;
    await sql(`CREATE ROLE ${role} WITH LOGIN PASSWORD 'first-password'`);
    try {
      await rotateAndCount(role);
    } finally {
      await sql(`DROP ROLE IF EXISTS ${role}`);
    }
  });
});

/** Rotates a secret of `role` with the built-in single-user rotator; asserts the audit records of its calls. */
async function rotateAndCount(role: string): Promise<void> {
  const fn = await createRotationFunction(shared.server, 'pg-single', undefined, { Kind: 'postgresql-single-user' });
  const name = uniqueName('front-door');
  const { ARN } = await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(secretValue(role)) }));
  const { VersionId } = await shared.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn }));
  assert.equal(await rotationEnded(shared.server, shared.client, name, VersionId!), 'succeeded', failureOf(shared.server, VersionId!));

  const put = (await lookup('ResourceName', ARN!)).filter((e) => e.EventName === 'PutSecretValue');
  assert.equal(put.length, 1, 'the new version was written once, through the API');
  const sessionKey = put[0]!.AccessKeyId!;
  assert.match(sessionKey, /^ASIA/, 'with temporary credentials of the rotation');
  const calls: Record<string, number> = {};
  for (const event of await lookup('AccessKeyId', sessionKey)) calls[event.EventName] = (calls[event.EventName] ?? 0) + 1;
  // createSecret: Describe, Get current, Get pending (not found yet), GetRandomPassword, Put;
  // setSecret: Describe, Get previous (none), current, pending; testSecret: Describe, Get pending;
  // finishSecret: Describe, UpdateSecretVersionStage.
  assert.deepEqual(calls, { DescribeSecret: 4, GetSecretValue: 6, GetRandomPassword: 1, PutSecretValue: 1, UpdateSecretVersionStage: 1 });
}

test("a rotator's invalid PutSecretValue is refused by the model's validation, as any caller's is", async () => {
  const fn = await createRotationFunction(shared.server, 'pg-single', undefined, { Kind: 'postgresql-single-user' });
  // At the limit now; the new 32-character password makes the next version too long.
  const base = JSON.stringify(secretValue('nobody_at_all', { padding: '' }));
  const value = JSON.stringify(secretValue('nobody_at_all', { padding: 'p'.repeat(SECRET_STRING_LIMIT - base.length) }));
  assert.equal(value.length, SECRET_STRING_LIMIT);
  const name = uniqueName('too-long');
  await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: value }));

  const tooLong = value.replace('first-password', 'x'.repeat(32));
  await rejectsWith(shared.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: tooLong })), 'ValidationException', /length less than or equal to 65536/);
  const { VersionId } = await shared.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn }));
  assert.equal(await rotationEnded(shared.server, shared.client, name, VersionId!), 'failed');
  assert.match(failureOf(shared.server, VersionId!)!, /"step":"createSecret".*Value at .secretString. failed to satisfy constraint: Member must have length less than or equal to 65536/);
  await rejectsWith(shared.client.send(new GetSecretValueCommand({ SecretId: name, VersionId })), 'ResourceNotFoundException');
});
