// Built-in rotators make their Secrets Manager calls as any client does: signed requests
// to the server's own endpoint with the rotation's session credentials. So each call is
// validated against the model, authorized and recorded in the audit log, one record per
// call; nothing reaches an operation handler past the front end.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { CreateSecretCommand, GetSecretValueCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { sharedServer } from '../support/coffer-server.js';
import { rawClientFor } from '../support/raw-client.js';
import { rejectsWith, uniqueName } from '../support/sdk-errors.js';
import { assertFailedAt, createRotationFunction, failureOf, rotationEnded } from '../rotation/rotation-e2e.js';
import { requireServer } from '../rotation/require-server.js';

const LOOKUP = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents';
const SECRET_ID_LIMIT = 2048;
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
  assert.equal(await rotationEnded(shared.server, shared.client, name, VersionId!), 'succeeded', await failureOf(shared.server, VersionId!));

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

test("a rotator's invalid request is refused by the model's validation, as any caller's is: a masterarn longer than a SecretId may be", async (t) => {
  const connection = mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '', connectTimeout: 5000 });
  if (!(await requireServer(t, 'MariaDB at 127.0.0.1:3306', () => connection))) return;
  const db = await connection;
  const user = `fd_${randomBytes(4).toString('hex')}`;
  await db.query("CREATE USER ?@'%' IDENTIFIED BY 'first-password'", [user]);
  t.after(async () => {
    await db.query("DROP USER IF EXISTS ?@'%'", [user]);
    await db.end();
  });
  const masterarn = `arn:aws:secretsmanager:us-east-1:000000000000:secret:${'m'.repeat(SECRET_ID_LIMIT)}`;
  const fn = await createRotationFunction(shared.server, 'mysql-multi', undefined, { Kind: 'mysql-alternating-users' });
  const name = uniqueName('long-masterarn');
  const value = { engine: 'mysql', host: '127.0.0.1', port: 3306, username: user, password: 'first-password', masterarn };
  await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value) }));

  const refusal = /at 'secretId' failed to satisfy constraint: Member must have length less than or equal to 2048/;
  await rejectsWith(shared.client.send(new GetSecretValueCommand({ SecretId: masterarn })), 'ValidationException', refusal);
  const { VersionId } = await shared.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn }));
  assert.equal(await rotationEnded(shared.server, shared.client, name, VersionId!), 'failed');
  await assertFailedAt(shared.server, VersionId!, 'setSecret', refusal);
});
