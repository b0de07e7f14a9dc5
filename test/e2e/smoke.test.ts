import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig, startServer, type TestServer } from '../support/coffer-server.js';

let server: TestServer;
let client: SecretsManagerClient;

before(async () => {
  server = await startServer();
  client = new SecretsManagerClient(clientConfig(server));
});
after(async () => {
  client.destroy();
  assert.equal(await server.stop(), 0);
});

test('a secret created with the SDK reads back', async () => {
  const created = await client.send(new CreateSecretCommand({ Name: 'smoke/one', SecretString: 'hello' }));
  assert.match(created.ARN!, /^arn:aws:secretsmanager:us-east-1:000000000000:secret:smoke\/one-[A-Za-z0-9]{6}$/);
  const value = await client.send(new GetSecretValueCommand({ SecretId: 'smoke/one' }));
  assert.equal(value.SecretString, 'hello');
  assert.deepEqual(value.VersionStages, ['AWSCURRENT']);
  assert.ok(value.CreatedDate instanceof Date);
});
