// A customer key's policy holds however the secret is used. Changing a secret's key
// opens its data keys with the old key and wraps them with the new one, so the caller
// needs kms:Decrypt on the old key and kms:GenerateDataKey and kms:Encrypt on the new,
// through Secrets Manager. Without them UpdateSecret(KmsKeyId=alias/aws/secretsmanager)
// must not turn a value the caller may not decrypt into one it may.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { clientConfig, startServer, type TestServer } from '../support/coffer-server.js';
import { iamQuery, type IamQuery } from '../support/iam-query.js';
import { rejectsWith, uniqueName } from '../support/sdk-errors.js';

const ACCOUNT = '000000000000';
const KMS_DENIED = 'Access to KMS is not allowed';
const MANAGED = 'alias/aws/secretsmanager';
let server: TestServer;
let iam: IamQuery;
let admin: { secrets: SecretsManagerClient; kms: KMSClient };
const clients: SecretsManagerClient[] = [];

before(async () => {
  server = await startServer();
  iam = iamQuery(server);
  admin = { secrets: new SecretsManagerClient(clientConfig(server)), kms: new KMSClient(clientConfig(server)) };
});
after(async () => {
  for (const client of [admin.secrets, ...clients]) client.destroy();
  admin.kms.destroy();
  assert.equal(await server.stop(), 0);
});

/** A customer key whose policy delegates to IAM, and denies `denied` (a user ARN) kms:Decrypt when given. */
async function customerKey(denied?: string): Promise<string> {
  const statements: object[] = [{ Sid: 'iam', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }];
  if (denied) statements.push({ Sid: 'deny', Effect: 'Deny', Principal: { AWS: denied }, Action: 'kms:Decrypt', Resource: '*' });
  const key = await admin.kms.send(new CreateKeyCommand({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }), BypassPolicyLockoutSafetyCheck: true }));
  return key.KeyMetadata!.Arn!;
}

async function secretUnder(keyArn: string): Promise<{ name: string; arn: string }> {
  const name = uniqueName('key-change/db');
  const created = await admin.secrets.send(new CreateSecretCommand({ Name: name, SecretString: 'sealed by the customer key', KmsKeyId: keyArn }));
  return { name, arn: created.ARN! };
}

async function userClient(prefix: string, statements: object[]) {
  const user = await iam.userWith(prefix, statements);
  const client = new SecretsManagerClient({ ...clientConfig(server), credentials: user.credentials });
  clients.push(client);
  return { ...user, client };
}

const SECRET_ACTIONS = ['secretsmanager:GetSecretValue', 'secretsmanager:UpdateSecret', 'secretsmanager:DescribeSecret'];

async function assertStillSealedBy(name: string, keyArn: string): Promise<void> {
  assert.equal((await admin.secrets.send(new DescribeSecretCommand({ SecretId: name }))).KmsKeyId, keyArn);
}

test('without KMS permission, moving a secret to aws/secretsmanager is refused and the value stays unreadable', async () => {
  const keyArn = await customerKey();
  const secret = await secretUnder(keyArn);
  const user = await userClient('no-kms', [{ Effect: 'Allow', Action: SECRET_ACTIONS, Resource: secret.arn }]);
  await rejectsWith(user.client.send(new GetSecretValueCommand({ SecretId: secret.name })), 'AccessDeniedException', KMS_DENIED);
  await rejectsWith(user.client.send(new UpdateSecretCommand({ SecretId: secret.name, KmsKeyId: MANAGED })), 'AccessDeniedException', KMS_DENIED);
  await rejectsWith(user.client.send(new UpdateSecretCommand({ SecretId: secret.name, KmsKeyId: '' })), 'AccessDeniedException', KMS_DENIED);
  await assertStillSealedBy(secret.name, keyArn);
  await rejectsWith(user.client.send(new GetSecretValueCommand({ SecretId: secret.name })), 'AccessDeniedException', KMS_DENIED);
});

test("an explicit Deny of kms:Decrypt in the old key's policy refuses the key change, even for a user allowed kms:*", async () => {
  const user = await userClient('kms-star', [
    { Effect: 'Allow', Action: 'kms:*', Resource: '*' },
    { Effect: 'Allow', Action: SECRET_ACTIONS, Resource: '*' },
  ]);
  const keyArn = await customerKey(user.arn);
  const secret = await secretUnder(keyArn);
  await rejectsWith(user.client.send(new UpdateSecretCommand({ SecretId: secret.name, KmsKeyId: MANAGED })), 'AccessDeniedException', KMS_DENIED);
  await assertStillSealedBy(secret.name, keyArn);
  await rejectsWith(user.client.send(new GetSecretValueCommand({ SecretId: secret.name })), 'AccessDeniedException', KMS_DENIED);
});

test('moving to another customer key needs kms:Encrypt on it; with Decrypt on the old and GenerateDataKey and Encrypt on the new, it moves and reads', async () => {
  const oldKey = await customerKey();
  const newKey = await customerKey();
  const secret = await secretUnder(oldKey);
  const via = { StringEquals: { 'kms:ViaService': `secretsmanager.${server.region}.amazonaws.com` } };
  const partial = await userClient('no-encrypt', [
    { Effect: 'Allow', Action: SECRET_ACTIONS, Resource: secret.arn },
    { Effect: 'Allow', Action: 'kms:Decrypt', Resource: oldKey, Condition: via },
    { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: newKey, Condition: via },
  ]);
  await rejectsWith(partial.client.send(new UpdateSecretCommand({ SecretId: secret.name, KmsKeyId: newKey })), 'AccessDeniedException', KMS_DENIED);
  await assertStillSealedBy(secret.name, oldKey);

  const full = await userClient('key-mover', [
    { Effect: 'Allow', Action: SECRET_ACTIONS, Resource: secret.arn },
    { Effect: 'Allow', Action: 'kms:Decrypt', Resource: [oldKey, newKey], Condition: via },
    { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Encrypt'], Resource: newKey, Condition: via },
  ]);
  await full.client.send(new UpdateSecretCommand({ SecretId: secret.name, KmsKeyId: newKey }));
  await assertStillSealedBy(secret.name, newKey);
  assert.equal((await full.client.send(new GetSecretValueCommand({ SecretId: secret.name }))).SecretString, 'sealed by the customer key');
});

test('PutSecretValue, RotateSecret and BatchGetSecretValue check the secret key for the caller too', async () => {
  const keyArn = await customerKey();
  const secret = await secretUnder(keyArn);
  const user = await userClient('other-paths', [
    { Effect: 'Allow', Action: ['secretsmanager:PutSecretValue', 'secretsmanager:RotateSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue'], Resource: '*' },
  ]);
  await rejectsWith(user.client.send(new PutSecretValueCommand({ SecretId: secret.name, SecretString: 'x' })), 'AccessDeniedException', KMS_DENIED);
  await rejectsWith(user.client.send(new RotateSecretCommand({ SecretId: secret.name })), 'AccessDeniedException', KMS_DENIED);
  const batch = await user.client.send(new BatchGetSecretValueCommand({ SecretIdList: [secret.name] }));
  assert.deepEqual(batch.SecretValues, []);
  assert.equal(batch.Errors?.[0]?.ErrorCode, 'AccessDeniedException');
});
