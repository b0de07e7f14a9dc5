// Two Coffer nodes on one PostgreSQL database (each its own data dir, the same root key and
// credentials): what one node acknowledges, a request that starts afterwards on the other sees,
// whatever either had cached. 1,000 writes on node A, each followed at once by a read on node B.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { clientConfig, otherNodeDataDir, startServer, type TestServer } from '../support/coffer-server.js';
import { iamQuery } from '../support/iam-query.js';
import { rejectsWith } from '../support/sdk-errors.js';
import { throwawayDatabase } from '../support/postgres-database.js';
import { operatorOk } from '../support/operator-cli.js';

const database = await throwawayDatabase('two nodes on one PostgreSQL database: a PostgreSQL server to run them on');

const servers: TestServer[] = [];
after(async () => {
  for (const server of servers) await server.stop();
  for (const server of servers) rmSync(dirname(server.dataDir), { recursive: true, force: true });
  await database?.drop();
});

/** Node A on the database, and node B with its own data dir holding node A's root key and credentials. */
async function twoNodes(url: string): Promise<{ a: TestServer; b: TestServer }> {
  const a = await startServer({ args: ['--storage', url] });
  servers.push(a);
  const b = await startServer({ dataDir: otherNodeDataDir(a), args: ['--storage', url] });
  servers.push(b);
  assert.equal(b.accessKeyId, a.accessKeyId);
  return { a, b };
}

const ROUNDS = { secrets: 400, policies: 250, accessKeys: 50, keys: 300 };

if (database) {
  test('a write acknowledged by node A is seen by the next request on node B, 1,000 times: secret values, policy changes, access key deactivations, key disables', { timeout: 600_000 }, async () => {
    const { a, b } = await twoNodes(database.url());

    const smA = new SecretsManagerClient(clientConfig(a));
    const smB = new SecretsManagerClient(clientConfig(b));
    const kmsA = new KMSClient(clientConfig(a));
    const kmsB = new KMSClient(clientConfig(b));
    let stale = 0;
    const expect = (ok: boolean, what: string) => {
      if (!ok) {
        stale++;
        assert.fail(`stale read on node B: ${what}`);
      }
    };
    try {
      // Secret values.
      const secret = await smA.send(new CreateSecretCommand({ Name: 'two-nodes/value', SecretString: 'v-start' }));
      assert.equal((await smB.send(new GetSecretValueCommand({ SecretId: secret.ARN }))).SecretString, 'v-start');
      for (let i = 0; i < ROUNDS.secrets; i++) {
        await smA.send(new PutSecretValueCommand({ SecretId: secret.ARN, SecretString: `v-${i}` }));
        const read = (await smB.send(new GetSecretValueCommand({ SecretId: 'two-nodes/value' }))).SecretString;
        expect(read === `v-${i}`, `round ${i}: read ${read}`);
      }

      // A user's access, given and taken by an inline policy.
      const iamA = iamQuery(a);
      const user = await iamA.userWith('two-nodes-reader', []);
      const asUserOnB = new SecretsManagerClient({ ...clientConfig(b), credentials: user.credentials });
      const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secret.ARN }] });
      await rejectsWith(asUserOnB.send(new GetSecretValueCommand({ SecretId: secret.ARN })), 'AccessDeniedException');
      for (let i = 0; i < ROUNDS.policies; i++) {
        if (i % 2 === 0) {
          await iamA.admin({ Action: 'PutUserPolicy', UserName: user.userName, PolicyName: 'read', PolicyDocument: document });
          const read = await asUserOnB.send(new GetSecretValueCommand({ SecretId: secret.ARN })).then(() => 'allowed', (e: Error) => e.name);
          expect(read === 'allowed', `round ${i}: the policy was put, yet ${read}`);
        } else {
          await iamA.admin({ Action: 'DeleteUserPolicy', UserName: user.userName, PolicyName: 'read' });
          const read = await asUserOnB.send(new GetSecretValueCommand({ SecretId: secret.ARN })).then(() => 'allowed', (e: Error) => e.name);
          expect(read === 'AccessDeniedException', `round ${i}: the policy was deleted, yet ${read}`);
        }
      }
      // The user's access key, deactivated and activated again.
      await iamA.admin({ Action: 'PutUserPolicy', UserName: user.userName, PolicyName: 'read', PolicyDocument: document });
      for (let i = 0; i < ROUNDS.accessKeys; i++) {
        const status = i % 2 === 0 ? 'Inactive' : 'Active';
        await iamA.admin({ Action: 'UpdateAccessKey', UserName: user.userName, AccessKeyId: user.credentials.accessKeyId, Status: status });
        const read = await asUserOnB.send(new GetSecretValueCommand({ SecretId: secret.ARN })).then(() => 'allowed', (e: Error) => e.name);
        expect((read === 'allowed') === (status === 'Active'), `round ${i}: the access key is ${status}, yet ${read}`);
      }
      asUserOnB.destroy();

      // A KMS key, disabled and enabled again.
      const key = (await kmsA.send(new CreateKeyCommand({ Description: 'two nodes' }))).KeyMetadata!;
      const encrypt = () => kmsB.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })).then(() => 'encrypted', (e: Error) => e.name);
      assert.equal(await encrypt(), 'encrypted');
      for (let i = 0; i < ROUNDS.keys; i++) {
        if (i % 2 === 0) {
          await kmsA.send(new DisableKeyCommand({ KeyId: key.KeyId }));
          const result = await encrypt();
          expect(result === 'DisabledException', `round ${i}: the key was disabled, yet ${result}`);
        } else {
          await kmsA.send(new EnableKeyCommand({ KeyId: key.KeyId }));
          const result = await encrypt();
          expect(result === 'encrypted', `round ${i}: the key was enabled, yet ${result}`);
        }
      }
      assert.equal(stale, 0);
    } finally {
      for (const client of [smA, smB, kmsA, kmsB]) client.destroy();
    }
  });
}

if (database) {
  test('a seal on node A refuses the next request on node B; starting node A again unseals both', { timeout: 120_000 }, async () => {
    const { a, b } = await twoNodes(database.url('seal'));
    const smB = new SecretsManagerClient(clientConfig(b));
    try {
      const secret = await smB.send(new CreateSecretCommand({ Name: 'two-nodes/sealed', SecretString: 'before the seal' }));
      assert.equal((await smB.send(new GetSecretValueCommand({ SecretId: secret.ARN }))).SecretString, 'before the seal');
      await operatorOk(a, ['seal']);
      for (let i = 0; i < 10; i++) await rejectsWith(smB.send(new GetSecretValueCommand({ SecretId: secret.ARN })), 'ServiceUnavailableException', /sealed/, 503);
      assert.match(await operatorOk(b, ['status']), /sealed/i);

      // A file-provider server that starts unseals the deployment; node B reloads its own copy of the key.
      await a.stop();
      const restarted = await startServer({ dataDir: a.dataDir, args: ['--storage', database.url('seal')] });
      servers.push(restarted);
      assert.equal((await smB.send(new GetSecretValueCommand({ SecretId: secret.ARN }))).SecretString, 'before the seal');
    } finally {
      smB.destroy();
    }
  });
}
