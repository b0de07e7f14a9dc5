// A server on `--storage postgres://…`, driven as a user drives it: secrets (one replicated to
// another region), KMS keys, an IAM user with a managed policy and a rotation function through
// the real clients, then a restart
// that reads everything back from the database. Also: a root key rotation whose unit of work is
// run again after a serialization failure still leaves every key readable.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { CreateAliasCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, DisableKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { BIN, PROJECT_ROOT, clientConfig, startServer, tempDir, type TestServer } from '../support/coffer-server.js';
import { cleanEnv, describeRun, requireTool, run } from '../support/child-process.js';
import { iamQuery, xmlElement } from '../support/iam-query.js';
import { rejectsWith } from '../support/sdk-errors.js';
import { throwawayDatabase } from '../support/postgres-database.js';

const database = await throwawayDatabase('a server on PostgreSQL storage: a PostgreSQL server to run it on');
const EXAMPLE = join(PROJECT_ROOT, 'examples/rotation');


const servers: TestServer[] = [];
after(async () => {
  for (const server of servers) await server.stop();
  for (const server of servers) rmSync(dirname(server.dataDir), { recursive: true, force: true });
  await database?.drop();
});

async function startOnPostgres(schema?: string, dataDir = join(tempDir(), 'data')): Promise<TestServer> {
  const server = await startServer({ dataDir, args: ['--storage', database!.url(schema)] });
  servers.push(server);
  return server;
}

function cliEnv(server: TestServer): NodeJS.ProcessEnv {
  return cleanEnv({ AWS_ENDPOINT_URL: server.url, AWS_SHARED_CREDENTIALS_FILE: join(server.dataDir, 'credentials'), AWS_PROFILE: 'coffer' });
}

async function coffer(server: TestServer, args: string[]): Promise<string> {
  const result = await run(process.execPath, [BIN, ...args], cliEnv(server));
  assert.equal(result.code, 0, describeRun(`coffer ${args.join(' ')}`, result));
  return result.stdout;
}

const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString();

if (database) {
  test('a server on PostgreSQL serves secrets, KMS keys, IAM users and rotation, and reads them all back after a restart', async (t) => {
    let server = await startOnPostgres();
    let sm = new SecretsManagerClient(clientConfig(server));
    let kms = new KMSClient(clientConfig(server));
    t.after(() => (sm.destroy(), kms.destroy()));

    // Secrets: create, get, put, move a label, list, delete and restore.
    const created = await sm.send(new CreateSecretCommand({ Name: 'pg/app/db', SecretString: '{"password":"first"}' }));
    const second = await sm.send(new PutSecretValueCommand({ SecretId: 'pg/app/db', SecretString: '{"password":"second"}' }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'pg/app/db' }))).SecretString, '{"password":"second"}');
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: 'pg/app/db', VersionStage: 'blue', MoveToVersionId: created.VersionId }));
    await sm.send(new CreateSecretCommand({ Name: 'pg/app/doomed', SecretBinary: Buffer.from([0, 1, 2, 255]) }));
    await sm.send(new CreateSecretCommand({ Name: 'pg/app/restored', SecretString: 'back again' }));
    await sm.send(new DeleteSecretCommand({ SecretId: 'pg/app/doomed', RecoveryWindowInDays: 7 }));
    await sm.send(new DeleteSecretCommand({ SecretId: 'pg/app/restored', RecoveryWindowInDays: 7 }));
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: 'pg/app/restored' })), 'InvalidRequestException');
    await sm.send(new RestoreSecretCommand({ SecretId: 'pg/app/restored' }));
    // A replica in eu-west-1 follows its primary.
    await sm.send(new CreateSecretCommand({ Name: 'pg/replicated', SecretString: 'first', AddReplicaRegions: [{ Region: 'eu-west-1' }] }));
    await sm.send(new PutSecretValueCommand({ SecretId: 'pg/replicated', SecretString: 'second' }));

    // KMS: a key with an alias encrypts; another is disabled.
    const key = (await kms.send(new CreateKeyCommand({ Description: 'on postgres' }))).KeyMetadata!;
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/pg-app', TargetKeyId: key.KeyId }));
    const ciphertext = (await kms.send(new EncryptCommand({ KeyId: 'alias/pg-app', Plaintext: Buffer.from('kms plaintext') }))).CiphertextBlob!;
    const disabled = (await kms.send(new CreateKeyCommand({ Description: 'disabled' }))).KeyMetadata!;
    await kms.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));

    // IAM: a user whose managed policy lets it read one secret.
    const iam = iamQuery(server);
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: `${created.ARN}` }] });
    const policyArn = xmlElement(await iam.admin({ Action: 'CreatePolicy', PolicyName: 'read-app-db', PolicyDocument: policy }), 'Arn')!;
    const user = await iam.userWith('pg-reader', []);
    await iam.admin({ Action: 'AttachUserPolicy', UserName: user.userName, PolicyArn: policyArn });
    const asUser = (s: TestServer) => new SecretsManagerClient({ ...clientConfig(s), credentials: user.credentials });
    let reader = asUser(server);
    assert.equal((await reader.send(new GetSecretValueCommand({ SecretId: 'pg/app/db' }))).SecretString, '{"password":"second"}');
    await rejectsWith(reader.send(new GetSecretValueCommand({ SecretId: 'pg/app/restored' })), 'AccessDeniedException');
    reader.destroy();

    // Rotation: an AWS-style Lambda registered as a command function rotates a secret.
    const python = await requireTool(t, 'boto3', 'python3', ['-c', 'import boto3']);
    let rotatedFrom: string | undefined;
    const functionArn = JSON.parse(
      await coffer(server, ['rotation-functions', 'create', '--name', 'pg-rotator', '--kind', 'command', '--command', `python3 ${EXAMPLE}/run-lambda.py ${EXAMPLE}/lambda_function.py`, '--timeout', '60']),
    ).FunctionArn as string;
    const rotating = await sm.send(new CreateSecretCommand({ Name: 'pg/rotated', SecretString: JSON.stringify({ api_key: 'original' }) }));
    if (python) {
      const { VersionId } = await sm.send(new RotateSecretCommand({ SecretId: 'pg/rotated', RotationLambdaARN: functionArn, RotationRules: { AutomaticallyAfterDays: 30 } }));
      const deadline = Date.now() + 60_000;
      while (!(await sm.send(new DescribeSecretCommand({ SecretId: 'pg/rotated' }))).VersionIdsToStages?.[VersionId!]?.includes('AWSCURRENT')) {
        assert.ok(Date.now() < deadline, `the rotation did not finish: ${readFileSync(server.logFile, 'utf8').slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      rotatedFrom = rotating.VersionId;
    }

    // What the database holds, as read through the API.
    const readBack = async () => {
      const db = await sm.send(new DescribeSecretCommand({ SecretId: 'pg/app/db' }));
      assert.deepEqual(db.VersionIdsToStages, { [created.VersionId!]: ['AWSPREVIOUS', 'blue'], [second.VersionId!]: ['AWSCURRENT'] });
      assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'pg/app/db', VersionStage: 'blue' }))).SecretString, '{"password":"first"}');
      const listed = await sm.send(new ListSecretsCommand({ IncludePlannedDeletion: true, Filters: [{ Key: 'name', Values: ['pg/'] }] }));
      assert.deepEqual(listed.SecretList?.map((s) => [s.Name, s.DeletedDate !== undefined]).sort(), [
        ['pg/app/db', false],
        ['pg/app/doomed', true],
        ['pg/app/restored', false],
        ['pg/replicated', false],
        ['pg/rotated', false],
      ]);
      assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'pg/app/restored' }))).SecretString, 'back again');
      const replicated = await sm.send(new DescribeSecretCommand({ SecretId: 'pg/replicated' }));
      assert.deepEqual(replicated.ReplicationStatus?.map((r) => [r.Region, r.Status]), [['eu-west-1', 'InSync']]);
      const eu = new SecretsManagerClient(clientConfig(server, 'eu-west-1'));
      try {
        assert.equal((await eu.send(new GetSecretValueCommand({ SecretId: 'pg/replicated' }))).SecretString, 'second');
        assert.deepEqual((await eu.send(new DescribeSecretCommand({ SecretId: 'pg/replicated' }))).VersionIdsToStages, replicated.VersionIdsToStages);
      } finally {
        eu.destroy();
      }
      assert.equal(text((await kms.send(new DecryptCommand({ CiphertextBlob: ciphertext }))).Plaintext), 'kms plaintext');
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/pg-app' }))).KeyMetadata?.KeyId, key.KeyId);
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: disabled.KeyId }))).KeyMetadata?.KeyState, 'Disabled');
      const reading = asUser(server);
      try {
        assert.equal((await reading.send(new GetSecretValueCommand({ SecretId: 'pg/app/db' }))).SecretString, '{"password":"second"}');
        await rejectsWith(reading.send(new GetSecretValueCommand({ SecretId: 'pg/app/restored' })), 'AccessDeniedException');
      } finally {
        reading.destroy();
      }
      const functions = JSON.parse(await coffer(server, ['rotation-functions', 'list'])).Functions as { FunctionArn: string }[];
      assert.deepEqual(functions.map((f) => f.FunctionArn), [functionArn]);
      if (rotatedFrom) {
        const rotated = await sm.send(new DescribeSecretCommand({ SecretId: 'pg/rotated' }));
        assert.equal(rotated.RotationEnabled, true);
        assert.equal(rotated.RotationLambdaARN, functionArn);
        assert.deepEqual(rotated.VersionIdsToStages?.[rotatedFrom], ['AWSPREVIOUS']);
        assert.notEqual(JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: 'pg/rotated' }))).SecretString!).api_key, 'original');
      }
    };
    await readBack();

    // Stopped and started again on the same database: everything reads the same.
    assert.equal(await server.stop(), 0);
    servers.splice(servers.indexOf(server), 1);
    server = await startOnPostgres(undefined, server.dataDir);
    sm.destroy();
    kms.destroy();
    sm = new SecretsManagerClient(clientConfig(server));
    kms = new KMSClient(clientConfig(server));
    await readBack();

    // The data is in PostgreSQL: the data directory holds no coffer.db, and the database the secrets' rows.
    assert.ok(!existsSync(join(server.dataDir, 'coffer.db')), readdirSync(server.dataDir).join(', '));
    const { rows } = await database.query('SELECT name, region FROM secrets ORDER BY name, region');
    assert.deepEqual(rows.map((r) => `${r.name} ${r.region}`), [
      'pg/app/db us-east-1',
      'pg/app/doomed us-east-1',
      'pg/app/restored us-east-1',
      'pg/replicated eu-west-1',
      'pg/replicated us-east-1',
      'pg/rotated us-east-1',
    ]);
    // The stored values are ciphertext only.
    const stored = await database.query('SELECT ciphertext FROM secret_versions');
    for (const row of stored.rows) assert.ok(!String(row.ciphertext).includes('password'));
  });

  test('a root key rotation whose unit of work fails to commit with a serialization failure runs again and leaves every key readable', async () => {
    let server = await startOnPostgres('rekey');
    const sm = new SecretsManagerClient(clientConfig(server));
    const kms = new KMSClient(clientConfig(server));
    try {
      await sm.send(new CreateSecretCommand({ Name: 'rekey/one', SecretString: 'survives rotation' }));
      const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId, Plaintext: Buffer.from('kms survives') }));
      // The first commit that changes the root key check fails as a serialization failure would (SQLSTATE 40001),
      // at COMMIT, once the whole unit has run.
      await database.query(`
        CREATE SEQUENCE rekey.fail_once;
        CREATE FUNCTION rekey.fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.name = 'coffer-root-key-check' AND nextval('rekey.fail_once') = 1 THEN
            RAISE EXCEPTION 'serialization failure injected at commit' USING ERRCODE = '40001';
          END IF;
          RETURN NEW;
        END $$;
        CREATE CONSTRAINT TRIGGER fail_once AFTER INSERT OR UPDATE ON rekey.settings
          DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rekey.fail_once();`);

      await coffer(server, ['operator', 'rotate-root']);
      const { rows } = await database.query("SELECT last_value FROM rekey.fail_once");
      assert.ok(Number(rows[0].last_value) >= 2, 'the unit ran again after the injected failure');
      const check = async (s: TestServer) => {
        const client = new SecretsManagerClient(clientConfig(s));
        const keys = new KMSClient(clientConfig(s));
        try {
          assert.equal((await client.send(new GetSecretValueCommand({ SecretId: 'rekey/one' }))).SecretString, 'survives rotation');
          assert.equal(text((await keys.send(new DecryptCommand({ CiphertextBlob }))).Plaintext), 'kms survives');
          await client.send(new CreateSecretCommand({ Name: `rekey/after-${Date.now()}`, SecretString: 'new' }));
        } finally {
          client.destroy();
          keys.destroy();
        }
      };
      await check(server);
      assert.equal(await server.stop(), 0);
      servers.splice(servers.indexOf(server), 1);
      server = await startOnPostgres('rekey', server.dataDir);
      await check(server);
    } finally {
      sm.destroy();
      kms.destroy();
    }
  });
}
