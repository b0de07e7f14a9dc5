// Alternating-users rotation on a live server: the function reads the superuser's secret
// named by `masterarn`, which only an execution role allowing it lets it do, as in AWS.
// Run with Coffer's built-in rotator, and with AWS's own MariaDB and PostgreSQL multi-user
// rotation functions (SecretsManagerRDSMariaDBRotationMultiUser and
// SecretsManagerRDSPostgreSQLRotationMultiUser from aws-samples/aws-secrets-manager-rotation-lambdas,
// unchanged) when COFFER_AWS_ROTATION_FUNCTIONS names the directory holding those folders.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { CreateSecretCommand, GetSecretValueCommand, RotateSecretCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { PROJECT_ROOT, sharedServer } from '../support/coffer-server.js';
import { requireTool } from '../support/child-process.js';
import { iamQuery } from '../support/iam-query.js';
import { uniqueName } from '../support/sdk-errors.js';
import { assertFailedAt, createRotationFunction, failureOf, rotationEnded } from './rotation-e2e.js';
import { requireServer } from './require-server.js';

const shared = sharedServer();
const AWS_FUNCTIONS = process.env.COFFER_AWS_ROTATION_FUNCTIONS;
const RUN_LAMBDA = join(PROJECT_ROOT, 'examples/rotation/run-lambda.py');
const LAMBDA_TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

interface Database {
  /** The `engine` AWS's function for it expects. */
  engine: string;
  port: number;
  superuser: string;
  sql(text: string): Promise<unknown>;
  /** Whether `user` may log in with `password` (PostgreSQL here trusts every login: whether the role exists). */
  logsIn(user: string, password: string): Promise<boolean>;
  close(): Promise<void>;
}

async function mariadb(t: TestContext): Promise<Database | undefined> {
  const connecting = mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '', connectTimeout: 5000 });
  if (!(await requireServer(t, 'MariaDB at 127.0.0.1:3306', () => connecting))) return undefined;
  const db = await connecting;
  return {
    engine: 'mariadb',
    port: 3306,
    superuser: 'root',
    sql: (text) => db.query(text),
    logsIn: async (user, password) => {
      const session = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user, password, connectTimeout: 5000 }).catch(() => undefined);
      await session?.end();
      return session !== undefined;
    },
    close: () => db.end(),
  };
}

async function postgres(t: TestContext): Promise<Database | undefined> {
  const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 5000 });
  const connecting = client.connect();
  if (!(await requireServer(t, 'PostgreSQL at 127.0.0.1:5432', () => connecting))) return undefined;
  return {
    engine: 'postgres',
    port: 5432,
    superuser: 'postgres',
    sql: (text) => client.query(text),
    logsIn: async (user, password) => {
      const session = new pg.Client({ host: '127.0.0.1', port: 5432, user, password, database: 'postgres', connectionTimeoutMillis: 5000 });
      const ok = await session.connect().then(() => true, () => false);
      await session.end().catch(() => undefined);
      return ok;
    },
    close: () => client.end(),
  };
}

/**
 * Rotates a user's secret twice with `kind` (and `command`) given a role that may read the
 * master secret: the first rotation creates `<user>_clone`, the second goes back to `<user>`.
 */
async function rotateTwice(t: TestContext, db: Database, engine: string, settings: Record<string, unknown>): Promise<void> {
  const user = `multi_${randomBytes(4).toString('hex')}`;
  const create = db.engine === 'mariadb' ? `CREATE USER '${user}'@'%' IDENTIFIED BY 'first-password'` : `CREATE ROLE ${user} WITH LOGIN PASSWORD 'first-password'`;
  await db.sql(create);
  t.after(async () => {
    const drop = db.engine === 'mariadb' ? (u: string) => `DROP USER IF EXISTS '${u}'@'%'` : (u: string) => `DROP ROLE IF EXISTS ${u}`;
    await db.sql(drop(`${user}_clone`));
    await db.sql(drop(user));
    await db.close();
  });
  const sm = shared.client;
  const base = { engine, host: '127.0.0.1', port: db.port, ssl: false, ...(db.engine === 'postgres' ? { dbname: 'postgres' } : {}) };
  const master = await sm.send(new CreateSecretCommand({ Name: uniqueName('master'), SecretString: JSON.stringify({ ...base, username: db.superuser, password: '' }) }));
  const name = uniqueName('multi');
  const secret = await sm.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ ...base, username: user, password: 'first-password', masterarn: master.ARN }) }));

  // The execution role of AWS's templates: the rotated secret, and the master secret to read.
  const role = uniqueName('multi-user-rotation').replace(/\//g, '-');
  const iam = iamQuery(shared.server);
  await iam.admin({ Action: 'CreateRole', RoleName: role, AssumeRolePolicyDocument: LAMBDA_TRUST });
  const statements = [
    { Effect: 'Allow', Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'], Resource: secret.ARN },
    { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: master.ARN },
    { Effect: 'Allow', Action: 'secretsmanager:GetRandomPassword', Resource: '*' },
  ];
  await iam.admin({ Action: 'PutRolePolicy', RoleName: role, PolicyName: 'rotation', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) });
  const withRole = await createRotationFunction(shared.server, 'multi-user', undefined, { ...settings, Role: `arn:aws:iam::000000000000:role/${role}` });
  const withoutRole = await createRotationFunction(shared.server, 'multi-user', undefined, settings);

  // Without a role the master secret is not the function's to read.
  const refused = await sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: withoutRole }));
  assert.equal(await rotationEnded(shared.server, sm, name, refused.VersionId!), 'failed');
  await assertFailedAt(shared.server, refused.VersionId!, 'setSecret', /not authorized to perform: secretsmanager:GetSecretValue on resource: [^ ]*:secret:master/);
  assert.equal(await db.logsIn(`${user}_clone`, 'anything'), false, 'no clone was made');
  // The failed rotation's AWSPENDING is cleared as an AWS user would, before the next one.
  await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSPENDING', RemoveFromVersionId: refused.VersionId }));
  for (const expected of [`${user}_clone`, user]) {
    const { VersionId } = await sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: withRole }));
    assert.equal(await rotationEnded(shared.server, sm, name, VersionId!), 'succeeded', await failureOf(shared.server, VersionId!));
    const current = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString!) as { username: string; password: string };
    assert.equal(current.username, expected);
    assert.ok(await db.logsIn(current.username, current.password), `${expected} logs in with the new password`);
  }
}

const python = (t: TestContext, module: string) => requireTool(t, `${module} for /usr/bin/python3`, '/usr/bin/python3', ['-c', `import boto3, ${module}`]);

/** AWS's function in `folder`, run unchanged through the example wrapper. */
function awsFunction(t: TestContext, folder: string): string | undefined {
  const file = AWS_FUNCTIONS && join(AWS_FUNCTIONS, folder, 'lambda_function.py');
  if (!file || !existsSync(file)) {
    t.skip(`AWS's ${folder} is not here: set COFFER_AWS_ROTATION_FUNCTIONS to a directory holding it`);
    return undefined;
  }
  return `/usr/bin/python3 ${RUN_LAMBDA} ${file}`;
}

test('the built-in mysql-alternating-users rotator reads the master secret with its execution role', async (t) => {
  const db = await mariadb(t);
  if (db) await rotateTwice(t, db, 'mysql', { Kind: 'mysql-alternating-users' });
});

test("AWS's SecretsManagerRDSMariaDBRotationMultiUser, unchanged, rotates a MariaDB user with its execution role", async (t) => {
  const command = awsFunction(t, 'SecretsManagerRDSMariaDBRotationMultiUser');
  if (!command || !(await python(t, 'pymysql'))) return;
  const db = await mariadb(t);
  if (db) await rotateTwice(t, db, 'mariadb', { Kind: 'command', Command: command });
});

test("AWS's SecretsManagerRDSPostgreSQLRotationMultiUser, unchanged, rotates a PostgreSQL user with its execution role", async (t) => {
  const command = awsFunction(t, 'SecretsManagerRDSPostgreSQLRotationMultiUser');
  if (!command || !(await python(t, 'pgdb'))) return;
  const db = await postgres(t);
  if (db) await rotateTwice(t, db, 'postgres', { Kind: 'command', Command: command });
});
