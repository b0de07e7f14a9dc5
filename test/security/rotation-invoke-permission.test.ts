// RotateSecret runs a function on the caller's say-so. As in AWS, the caller needs
// lambda:InvokeFunction on that function: a user allowed only secretsmanager:RotateSecret
// and CreateSecret on its own secrets must not point one at a function the administrator
// registered for other secrets, and have it run.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateSecretCommand, DescribeSecretCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig, sharedServer } from '../support/coffer-server.js';
import { iamQuery } from '../support/iam-query.js';
import { rejectsWith, uniqueName } from '../support/sdk-errors.js';
import { createRotationFunction } from '../rotation/rotation-e2e.js';

const shared = sharedServer();
const clients: SecretsManagerClient[] = [];
after(() => clients.forEach((client) => client.destroy()));

async function userClient(prefix: string, statements: object[]): Promise<SecretsManagerClient> {
  const user = await iamQuery(shared.server).userWith(prefix, statements);
  const client = new SecretsManagerClient({ ...clientConfig(shared.server), credentials: user.credentials });
  clients.push(client);
  return client;
}

const OWN_SECRETS = { Effect: 'Allow', Action: ['secretsmanager:CreateSecret', 'secretsmanager:RotateSecret', 'secretsmanager:DescribeSecret'], Resource: '*' };

test("RotateSecret needs lambda:InvokeFunction on the function: without it nothing is configured and nothing runs", async () => {
  // `true` would complete no rotation; only whether it is started matters.
  const fn = await createRotationFunction(shared.server, 'admins-function', 'true');
  const user = await userClient('rotator', [OWN_SECRETS]);
  const name = uniqueName('mine');
  await user.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));

  await rejectsWith(
    user.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn, RotateImmediately: true })),
    'AccessDeniedException',
    new RegExp(`not authorized to perform: lambda:InvokeFunction on resource: ${fn}`),
  );
  const described = await shared.client.send(new DescribeSecretCommand({ SecretId: name }));
  assert.equal(described.RotationEnabled, undefined, 'no rotation was configured');
  assert.equal(Object.keys(described.VersionIdsToStages ?? {}).length, 1, 'no AWSPENDING version was made');
});

test('lambda:InvokeFunction on that function, and only that one, lets the user rotate with it; it also covers the function the secret already names', async () => {
  const allowed = await createRotationFunction(shared.server, 'allowed', 'true');
  const other = await createRotationFunction(shared.server, 'other', 'true');
  const user = await userClient('invoker', [OWN_SECRETS, { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: allowed }]);
  const name = uniqueName('mine');
  await user.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));

  await rejectsWith(user.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: other, RotateImmediately: false })), 'AccessDeniedException', /lambda:InvokeFunction/);
  await user.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: allowed, RotateImmediately: false }));
  assert.equal((await shared.client.send(new DescribeSecretCommand({ SecretId: name }))).RotationLambdaARN, allowed);

  // The administrator moves the secret to the other function: the user may no longer start it.
  await shared.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: other, RotateImmediately: false }));
  await rejectsWith(user.send(new RotateSecretCommand({ SecretId: name, RotateImmediately: false })), 'AccessDeniedException', new RegExp(`lambda:InvokeFunction on resource: ${other}`));
});
