// `coffer migrate` moves a single server from its data directory's SQLite store to PostgreSQL:
// data made through the real clients on SQLite reads back the same from a server started on the
// same data directory with --storage naming the database, its audit log with it; a second migrate
// into it is refused.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { CreateAliasCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, DisableKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { BIN, clientConfig, startServer, tempDir, type TestServer } from '../support/coffer-server.js';
import { cleanEnv, describeRun, run } from '../support/child-process.js';
import { iamQuery, xmlElement } from '../support/iam-query.js';
import { rejectsWith } from '../support/sdk-errors.js';
import { throwawayDatabase } from '../support/postgres-database.js';
import { rawClientFor } from '../support/raw-client.js';

const LOOKUP = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents';

const database = await throwawayDatabase('coffer migrate: a PostgreSQL server to migrate into');
const dataDir = join(tempDir(), 'data');
const servers: TestServer[] = [];
after(async () => {
  for (const server of servers) await server.stop();
  rmSync(dirname(dataDir), { recursive: true, force: true });
  await database?.drop();
});

const cliEnv = (server: TestServer) => cleanEnv({ AWS_ENDPOINT_URL: server.url, AWS_SHARED_CREDENTIALS_FILE: join(server.dataDir, 'credentials'), AWS_PROFILE: 'coffer' });
const coffer = (args: string[], env: NodeJS.ProcessEnv = cleanEnv({})) => run(process.execPath, [BIN, ...args], env);

if (database) {
  test('coffer migrate copies secrets, KMS keys, IAM, rotation functions and the audit log into PostgreSQL, and a server on it reads them all the same', { timeout: 180_000 }, async () => {
    let server = await startServer({ dataDir });
    servers.push(server);
    let sm = new SecretsManagerClient(clientConfig(server));
    let kms = new KMSClient(clientConfig(server));

    const first = await sm.send(new CreateSecretCommand({ Name: 'moved/db', SecretString: 'first', Description: 'to move' }));
    const second = await sm.send(new PutSecretValueCommand({ SecretId: 'moved/db', SecretString: 'second' }));
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: 'moved/db', VersionStage: 'blue', MoveToVersionId: first.VersionId }));
    await sm.send(new CreateSecretCommand({ Name: 'moved/binary', SecretBinary: Buffer.from([0, 1, 254, 255]) }));
    const key = (await kms.send(new CreateKeyCommand({ Description: 'moved key' }))).KeyMetadata!;
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/moved', TargetKeyId: key.KeyId }));
    const ciphertext = (await kms.send(new EncryptCommand({ KeyId: 'alias/moved', Plaintext: Buffer.from('kms plaintext') }))).CiphertextBlob!;
    const disabled = (await kms.send(new CreateKeyCommand({ Description: 'disabled' }))).KeyMetadata!;
    await kms.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
    const iam = iamQuery(server);
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: first.ARN }] });
    const policyArn = xmlElement(await iam.admin({ Action: 'CreatePolicy', PolicyName: 'read-moved', PolicyDocument: policy }), 'Arn')!;
    const user = await iam.userWith('mover', []);
    await iam.admin({ Action: 'AttachUserPolicy', UserName: user.userName, PolicyArn: policyArn });
    const created = await coffer(['rotation-functions', 'create', '--name', 'moved-rotator', '--kind', 'command', '--command', 'true'], cliEnv(server));
    assert.equal(created.code, 0, describeRun('rotation-functions create', created));
    // One more secret after the function, so that ids continue after the copied ones.
    await sm.send(new CreateSecretCommand({ Name: 'moved/last', SecretString: 'last' }));
    sm.destroy();
    kms.destroy();
    assert.equal(await server.stop(), 0);
    servers.pop();

    const migrated = await coffer(['migrate', '--from', dataDir, '--to', database.url()]);
    assert.equal(migrated.code, 0, describeRun('coffer migrate', migrated));
    assert.match(migrated.stdout, /secrets 3/);

    server = await startServer({ dataDir, args: ['--storage', database.url()] });
    servers.push(server);
    sm = new SecretsManagerClient(clientConfig(server));
    kms = new KMSClient(clientConfig(server));
    try {
      const described = await sm.send(new DescribeSecretCommand({ SecretId: 'moved/db' }));
      assert.equal(described.Description, 'to move');
      assert.deepEqual(described.VersionIdsToStages, { [first.VersionId!]: ['AWSPREVIOUS', 'blue'], [second.VersionId!]: ['AWSCURRENT'] });
      assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'moved/db' }))).SecretString, 'second');
      assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'moved/db', VersionStage: 'blue' }))).SecretString, 'first');
      assert.deepEqual([...(await sm.send(new GetSecretValueCommand({ SecretId: 'moved/binary' }))).SecretBinary!], [0, 1, 254, 255]);
      assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'moved/last' }))).SecretString, 'last');
      // A new secret gets an id of its own after the copied ones.
      await sm.send(new CreateSecretCommand({ Name: 'moved/new', SecretString: 'new' }));
      const names = (await sm.send(new ListSecretsCommand({}))).SecretList!.map((s) => s.Name).sort();
      assert.deepEqual(names, ['moved/binary', 'moved/db', 'moved/last', 'moved/new']);

      const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: ciphertext }));
      assert.equal(Buffer.from(decrypted.Plaintext!).toString(), 'kms plaintext');
      assert.equal(decrypted.KeyId, key.Arn);
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/moved' }))).KeyMetadata!.KeyId, key.KeyId);
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: disabled.KeyId }))).KeyMetadata!.KeyState, 'Disabled');

      const reader = new SecretsManagerClient({ ...clientConfig(server), credentials: user.credentials });
      try {
        assert.equal((await reader.send(new GetSecretValueCommand({ SecretId: 'moved/db' }))).SecretString, 'second');
        await rejectsWith(reader.send(new GetSecretValueCommand({ SecretId: 'moved/binary' })), 'AccessDeniedException');
      } finally {
        reader.destroy();
      }
      const listed = await coffer(['rotation-functions', 'list'], cliEnv(server));
      assert.equal(listed.code, 0, describeRun('rotation-functions list', listed));
      assert.deepEqual((JSON.parse(listed.stdout).Functions as { FunctionName: string }[]).map((f) => f.FunctionName), ['moved-rotator']);

      // The audit log came along: what was recorded on SQLite is looked up on PostgreSQL, and the one chain verifies.
      const lookup = await rawClientFor(server).call(LOOKUP, { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: described.ARN }] }, { sign: { service: 'cloudtrail' } });
      assert.equal(lookup.status, 200, lookup.text);
      const events = (lookup.json.Events as { EventName: string }[]).map((e) => e.EventName);
      assert.ok(events.includes('CreateSecret') && events.includes('UpdateSecretVersionStage'), `events of moved/db: ${events.join(', ')}`);
      const verified = await coffer(['audit', 'verify', '--storage', database.url()]);
      assert.equal(verified.code, 0, describeRun('coffer audit verify --storage', verified));
      const copiedEntries = Number(/Copied the audit log: (\d+) entries/.exec(migrated.stdout)?.[1]);
      assert.ok(copiedEntries > 0, migrated.stdout);
    } finally {
      sm.destroy();
      kms.destroy();
    }

    const again = await coffer(['migrate', '--from', dataDir, '--to', database.url()]);
    assert.equal(again.code, 1, describeRun('a second coffer migrate', again));
    assert.match(again.stderr, /already holds Coffer data/);
  });
}
