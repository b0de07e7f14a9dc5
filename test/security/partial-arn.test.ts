/**
 * Partial-ARN tricks never reach the wrong secret. A SecretId is a name (matched exactly), a
 * full ARN (matched exactly) or a partial ARN without the random suffix (matched by whole name),
 * in the caller's account and region only, as AWS documents. A name built to look like another
 * secret's ARN, a prefix, a SQL pattern, another account's, region's or partition's ARN, and the
 * ARN of a deleted secret whose name was taken again, each resolve to the secret they name or to
 * nothing; and authorization follows the secret an id resolves to, whatever form it takes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { clientConfig, sharedServer } from '../support/coffer-server.js';
import { iamQuery } from '../support/iam-query.js';
import { NOT_FOUND, rejectsWith, uniqueName } from '../support/sdk-errors.js';

const shared = sharedServer();

const PREFIX = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:';

async function create(client: SecretsManagerClient, name: string, value: string): Promise<string> {
  return (await client.send(new CreateSecretCommand({ Name: name, SecretString: value }))).ARN!;
}

async function valueOf(client: SecretsManagerClient, secretId: string): Promise<string | undefined> {
  return (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
}

const notFound = (client: SecretsManagerClient, secretId: string) =>
  rejectsWith(client.send(new GetSecretValueCommand({ SecretId: secretId })), 'ResourceNotFoundException', NOT_FOUND);

/** The six-character suffix with its last character changed. */
const otherSuffix = (arn: string) => `${arn.slice(0, -1)}${arn.endsWith('A') ? 'B' : 'A'}`;

test("a secret named like another's full ARN (name plus its suffix) and that other secret each resolve only to themselves", async () => {
  const { client } = shared;
  const name = uniqueName('lookalike');
  const target = await create(client, name, 'target');
  const suffix = target.slice(-6);
  const lookalike = await create(client, `${name}-${suffix}`, 'lookalike');
  assert.equal(lookalike.slice(0, -7), target, 'the look-alike ARN extends the target ARN');

  assert.equal(await valueOf(client, target), 'target');
  assert.equal(await valueOf(client, name), 'target');
  assert.equal(await valueOf(client, `${PREFIX}${name}`), 'target');
  assert.equal(await valueOf(client, lookalike), 'lookalike');
  assert.equal(await valueOf(client, `${name}-${suffix}`), 'lookalike');
  // The look-alike's partial ARN is the target's full ARN, which AWS reads as a full ARN: the target.
  assert.equal(await valueOf(client, `${PREFIX}${name}-${suffix}`), 'target');
});

test('a partial ARN matches a whole name: never a prefix, an extension, a SQL pattern or a changed suffix', async () => {
  const { client } = shared;
  const base = uniqueName('whole');
  const db = await create(client, `${base}/db`, 'db');
  await create(client, `${base}/db-prod`, 'db-prod');
  await create(client, `${base}/aXb`, 'aXb');

  assert.equal(await valueOf(client, `${PREFIX}${base}/db`), 'db');
  assert.equal(await valueOf(client, `${PREFIX}${base}/db-prod`), 'db-prod');
  for (const id of [
    `${PREFIX}${base}/d`,
    `${PREFIX}${base}/db-`,
    `${PREFIX}${base}/`,
    `${PREFIX}${base}/db/`,
    `${PREFIX}${base}/a_b`,
    `${base}/a_b`,
    `${PREFIX}${base}/db/../db-prod`,
    `${db}x`,
    otherSuffix(db),
    `${PREFIX}${base.toUpperCase()}/DB`,
  ]) {
    await notFound(client, id);
  }
  // Characters no name has (an upper-case `ARN:` is a name with colons) are a validation error as a name, and name nothing inside an ARN.
  for (const id of [`${base}/a%b`, db.replace('arn:aws:', 'ARN:aws:')]) {
    await rejectsWith(client.send(new GetSecretValueCommand({ SecretId: id })), 'ValidationException');
  }
  await notFound(client, `${PREFIX}${base}/a%b`);
  await notFound(client, `${PREFIX}${base}/*`);
});

test("another account's, region's or partition's ARN never resolves to a secret here", async () => {
  const { server, client } = shared;
  const name = uniqueName('elsewhere');
  const east = await create(client, name, 'us-east-1');
  const westClient = new SecretsManagerClient(clientConfig(server, 'eu-west-1'));
  try {
    const west = await create(westClient, name, 'eu-west-1');
    assert.equal(west.slice(0, -7), `arn:aws:secretsmanager:eu-west-1:000000000000:secret:${name}`);

    for (const id of [
      east.replace(':000000000000:', ':111111111111:'),
      `arn:aws:secretsmanager:us-east-1:111111111111:secret:${name}`,
      east.replace('arn:aws:', 'arn:aws-cn:'),
      east.replace(':secretsmanager:', ':ssm:'),
      west,
      west.slice(0, -7),
    ]) {
      await notFound(client, id);
    }
    assert.equal(await valueOf(client, name), 'us-east-1');
    await notFound(westClient, east);
    await notFound(westClient, east.slice(0, -7));
    assert.equal(await valueOf(westClient, name), 'eu-west-1');
    assert.equal(await valueOf(westClient, west.slice(0, -7)), 'eu-west-1');
  } finally {
    westClient.destroy();
  }
});

test('after a secret is deleted and its name taken again, the old ARN names nothing and the name the new secret', async () => {
  const { client } = shared;
  const name = uniqueName('recreated');
  const old = await create(client, name, 'old');
  await client.send(new DeleteSecretCommand({ SecretId: old, ForceDeleteWithoutRecovery: true }));
  const renewed = await create(client, name, 'new');
  assert.notEqual(renewed, old);
  await notFound(client, old);
  assert.equal(await valueOf(client, `${PREFIX}${name}`), 'new');
  assert.equal(await valueOf(client, name), 'new');
});

test('authorization follows the secret an id resolves to, in every form', async () => {
  const { server, client } = shared;
  const name = uniqueName('granted');
  const granted = await create(client, name, 'granted');
  const other = await create(client, `${name}-${granted.slice(-6)}`, 'other');
  const user = await iamQuery(server).userWith('partial-arn', [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: granted }]);
  const userClient = new SecretsManagerClient({ ...clientConfig(server), credentials: user.credentials });
  try {
    for (const id of [granted, name, `${PREFIX}${name}`]) assert.equal(await valueOf(userClient, id), 'granted', id);
    for (const id of [other, `${name}-${granted.slice(-6)}`]) {
      await rejectsWith(userClient.send(new GetSecretValueCommand({ SecretId: id })), 'AccessDeniedException');
    }
  } finally {
    userClient.destroy();
  }
});
