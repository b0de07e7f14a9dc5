import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { clientConfig, startServer, type TestServer } from '../support/coffer-server.js';
import { NOT_FOUND, rejectsWith, uniqueName } from '../support/sdk-errors.js';

let server: TestServer;
let client: SecretsManagerClient;
let euClient: SecretsManagerClient;

before(async () => {
  server = await startServer();
  client = new SecretsManagerClient(clientConfig(server));
  euClient = new SecretsManagerClient(clientConfig(server, 'eu-west-1'));
});
after(async () => {
  client.destroy();
  euClient.destroy();
  assert.equal(await server.stop(), 0);
});

const TOO_LONG = (member: string) =>
  `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to 65536`;

// --- Regions ----------------------------------------------------------------------------------

test('a secret created in us-east-1 is invisible to a client in eu-west-1', async () => {
  const name = uniqueName('region/private');
  const created = await client.send(new CreateSecretCommand({ Name: name, SecretString: 'east' }));
  assert.match(created.ARN!, /^arn:aws:secretsmanager:us-east-1:000000000000:secret:/);
  await rejectsWith(euClient.send(new GetSecretValueCommand({ SecretId: name })), 'ResourceNotFoundException', NOT_FOUND);
  await rejectsWith(euClient.send(new DescribeSecretCommand({ SecretId: created.ARN })), 'ResourceNotFoundException', NOT_FOUND);
  const listed = await euClient.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [name] }] }));
  assert.deepEqual(listed.SecretList, []);
});

test('the same name can exist in two regions, each with its own region-specific ARN and value', async () => {
  const name = uniqueName('region/both');
  const east = await client.send(new CreateSecretCommand({ Name: name, SecretString: 'east' }));
  const west = await euClient.send(new CreateSecretCommand({ Name: name, SecretString: 'west' }));
  assert.match(east.ARN!, new RegExp(`^arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}-[A-Za-z0-9]{6}$`));
  assert.match(west.ARN!, new RegExp(`^arn:aws:secretsmanager:eu-west-1:000000000000:secret:${name}-[A-Za-z0-9]{6}$`));
  assert.equal((await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'east');
  assert.equal((await euClient.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'west');
  assert.equal((await euClient.send(new GetSecretValueCommand({ SecretId: west.ARN }))).SecretString, 'west');
  // A full ARN of the other region names nothing here.
  await rejectsWith(client.send(new GetSecretValueCommand({ SecretId: west.ARN })), 'ResourceNotFoundException', NOT_FOUND);
  const euList = await euClient.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [name] }] }));
  assert.deepEqual(euList.SecretList!.map((s) => s.ARN), [west.ARN]);
});

// --- Value size (§4, §13) ---------------------------------------------------------------------

test('a SecretString of exactly 65,536 bytes is accepted; 65,537 is ValidationException', async () => {
  const name = uniqueName('limit/string');
  const max = 'a'.repeat(65536);
  await client.send(new CreateSecretCommand({ Name: name, SecretString: max }));
  assert.equal((await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, max);
  await rejectsWith(
    client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'a'.repeat(65537) })),
    'ValidationException',
    TOO_LONG('secretString'),
  );
  await rejectsWith(
    client.send(new CreateSecretCommand({ Name: uniqueName('limit/string'), SecretString: 'a'.repeat(65537) })),
    'ValidationException',
    TOO_LONG('secretString'),
  );
});

test('multi-byte UTF-8 counts in bytes: 32,768 × "é" (65,536 bytes) fits, 32,769 does not; 4-byte characters too', async () => {
  const name = uniqueName('limit/utf8');
  const fits = 'é'.repeat(32768);
  assert.equal(Buffer.byteLength(fits), 65536);
  await client.send(new CreateSecretCommand({ Name: name, SecretString: fits }));
  assert.equal((await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, fits);

  const over = 'é'.repeat(32769);
  await rejectsWith(client.send(new PutSecretValueCommand({ SecretId: name, SecretString: over })), 'ValidationException', TOO_LONG('secretString'));
  const emoji = '🔑'.repeat(16384) + 'x'; // 65,537 bytes in 16,385 code points
  await rejectsWith(client.send(new PutSecretValueCommand({ SecretId: name, SecretString: emoji })), 'ValidationException', TOO_LONG('secretString'));
  const emojiFits = '🔑'.repeat(16384);
  await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: emojiFits }));
  assert.equal((await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, emojiFits);
});

test('a SecretBinary of 65,536 arbitrary bytes round-trips; 65,537 is ValidationException', async () => {
  const name = uniqueName('limit/binary');
  const bytes = Buffer.alloc(65536);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
  await client.send(new CreateSecretCommand({ Name: name, SecretBinary: bytes }));
  const value = await client.send(new GetSecretValueCommand({ SecretId: name }));
  assert.ok(Buffer.from(value.SecretBinary!).equals(bytes));
  await rejectsWith(
    client.send(new PutSecretValueCommand({ SecretId: name, SecretBinary: Buffer.alloc(65537, 7) })),
    'ValidationException',
    TOO_LONG('secretBinary'),
  );
});

test('an empty SecretString is ValidationException (the model requires at least 1)', async () => {
  await rejectsWith(client.send(new CreateSecretCommand({ Name: uniqueName('limit/empty'), SecretString: '' })), 'ValidationException');
});
