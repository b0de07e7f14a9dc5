import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { sharedServer } from '../support/coffer-server.js';

const shared = sharedServer();

test('a secret created with the SDK reads back', async () => {
  const created = await shared.client.send(new CreateSecretCommand({ Name: 'smoke/one', SecretString: 'hello' }));
  assert.match(created.ARN!, /^arn:aws:secretsmanager:us-east-1:000000000000:secret:smoke\/one-[A-Za-z0-9]{6}$/);
  const value = await shared.client.send(new GetSecretValueCommand({ SecretId: 'smoke/one' }));
  assert.equal(value.SecretString, 'hello');
  assert.deepEqual(value.VersionStages, ['AWSCURRENT']);
  assert.ok(value.CreatedDate instanceof Date);
});
