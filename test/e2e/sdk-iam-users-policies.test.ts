// Two IAM users with different policies drive Secrets Manager and KMS through the real SDKs:
// each may do what its policies allow and is refused the rest, with AWS's error and message.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { clientConfig, startServer, type TestServer } from '../support/coffer-server.js';
import { rawClientFor, type RawClient } from '../support/raw-client.js';
import { rejectsWith, uniqueName } from '../support/sdk-errors.js';

const ACCOUNT = '000000000000';
const SECRETS = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:`;
const FORM = 'application/x-www-form-urlencoded; charset=utf-8';

let server: TestServer;
let raw: RawClient;
let admin: SecretsManagerClient;

before(async () => {
  server = await startServer();
  raw = rawClientFor(server);
  admin = new SecretsManagerClient(clientConfig(server));
});
after(async () => {
  admin.destroy();
  assert.equal(await server.stop(), 0);
});

/** One IAM call as the administrator; returns the XML answer. */
async function iam(params: Record<string, string>): Promise<string> {
  const res = await raw.send({
    body: new URLSearchParams({ ...params, Version: '2010-05-08' }).toString(),
    headers: { 'Content-Type': FORM },
    sign: { service: 'iam' },
  });
  assert.equal(res.status, 200, res.text);
  return res.text;
}

const element = (xml: string, name: string): string => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)![1]!;

/** A user with one inline policy, and clients signing with its new access key. */
async function userWith(prefix: string, statements: object[]) {
  const userName = uniqueName(prefix).replace(/\//g, '-');
  const arn = element(await iam({ Action: 'CreateUser', UserName: userName }), 'Arn');
  await iam({ Action: 'PutUserPolicy', UserName: userName, PolicyName: 'access', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) });
  const key = await iam({ Action: 'CreateAccessKey', UserName: userName });
  const credentials = { accessKeyId: element(key, 'AccessKeyId'), secretAccessKey: element(key, 'SecretAccessKey') };
  const config = { ...clientConfig(server), credentials };
  return { userName, arn, secrets: new SecretsManagerClient(config), kms: new KMSClient(config) };
}

test('two users: the reader reads app/* and nothing else; the auditor only describes; each is refused the rest by name', async () => {
  const appSecret = uniqueName('app/db');
  const otherSecret = uniqueName('billing/db');
  const app = await admin.send(new CreateSecretCommand({ Name: appSecret, SecretString: 'app-password' }));
  const other = await admin.send(new CreateSecretCommand({ Name: otherSecret, SecretString: 'billing-password' }));

  const reader = await userWith('reader', [
    { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: `${SECRETS}app/*` },
    { Effect: 'Allow', Action: 'secretsmanager:ListSecrets', Resource: '*' },
    { Effect: 'Allow', Action: 'secretsmanager:BatchGetSecretValue', Resource: '*' },
  ]);
  const auditor = await userWith('auditor', [{ Effect: 'Allow', Action: 'secretsmanager:DescribeSecret', Resource: '*' }]);
  try {
    assert.equal((await reader.secrets.send(new GetSecretValueCommand({ SecretId: appSecret }))).SecretString, 'app-password');
    const refused = await rejectsWith(reader.secrets.send(new GetSecretValueCommand({ SecretId: otherSecret })), 'AccessDeniedException');
    assert.equal(
      refused.message,
      `User: ${reader.arn} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${other.ARN} because no identity-based policy allows the secretsmanager:GetSecretValue action`,
    );
    assert.doesNotMatch(refused.message, /billing-password/);
    await rejectsWith(reader.secrets.send(new PutSecretValueCommand({ SecretId: appSecret, SecretString: 'changed' })), 'AccessDeniedException');
    await rejectsWith(reader.secrets.send(new DeleteSecretCommand({ SecretId: appSecret })), 'AccessDeniedException');
    await rejectsWith(reader.secrets.send(new CreateSecretCommand({ Name: uniqueName('app/new'), SecretString: 'x' })), 'AccessDeniedException');
    // A missing secret the policy covers is reported missing; one it does not cover is refused.
    await rejectsWith(reader.secrets.send(new GetSecretValueCommand({ SecretId: uniqueName('app/missing') })), 'ResourceNotFoundException');
    await rejectsWith(reader.secrets.send(new GetSecretValueCommand({ SecretId: uniqueName('billing/missing') })), 'AccessDeniedException');
    // ListSecrets lists every secret, as AWS does; BatchGetSecretValue reports the refused one.
    const listed = (await reader.secrets.send(new ListSecretsCommand({ MaxResults: 100 }))).SecretList!.map((s) => s.Name);
    assert.ok(listed.includes(otherSecret));
    const batch = await reader.secrets.send(new BatchGetSecretValueCommand({ SecretIdList: [appSecret, otherSecret] }));
    assert.deepEqual(batch.SecretValues!.map((v) => v.Name), [appSecret]);
    assert.deepEqual(batch.Errors!.map((e) => [e.SecretId, e.ErrorCode]), [[otherSecret, 'AccessDeniedException']]);

    assert.equal((await auditor.secrets.send(new DescribeSecretCommand({ SecretId: otherSecret }))).ARN, other.ARN);
    await rejectsWith(auditor.secrets.send(new GetSecretValueCommand({ SecretId: appSecret })), 'AccessDeniedException');
    await rejectsWith(auditor.secrets.send(new ListSecretsCommand({})), 'AccessDeniedException', /because no identity-based policy allows the secretsmanager:ListSecrets action$/);

    // The value was never changed by a refused call.
    assert.equal((await admin.send(new GetSecretValueCommand({ SecretId: app.ARN }))).SecretString, 'app-password');
  } finally {
    for (const user of [reader, auditor]) {
      user.secrets.destroy();
      user.kms.destroy();
    }
  }
});

test('a policy change takes effect on the next request; an explicit Deny beats an Allow; a resource policy grants alone', async () => {
  const name = uniqueName('app/changing');
  const created = await admin.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
  const user = await userWith('changing', [{ Effect: 'Allow', Action: 'secretsmanager:DescribeSecret', Resource: '*' }]);
  try {
    await rejectsWith(user.secrets.send(new GetSecretValueCommand({ SecretId: name })), 'AccessDeniedException');
    // The secret's resource policy naming the user grants alone, within the account.
    const grant = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: user.arn }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }] };
    await admin.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: JSON.stringify(grant) }));
    assert.equal((await user.secrets.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'v1');
    // An explicit Deny in the user's own policy wins over the resource policy's Allow.
    const deny = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'secretsmanager:GetSecretValue', Resource: created.ARN }] };
    await iam({ Action: 'PutUserPolicy', UserName: user.userName, PolicyName: 'deny', PolicyDocument: JSON.stringify(deny) });
    const denied = await rejectsWith(user.secrets.send(new GetSecretValueCommand({ SecretId: name })), 'AccessDeniedException');
    assert.match(denied.message, /with an explicit deny in an identity-based policy$/);
    await iam({ Action: 'DeleteUserPolicy', UserName: user.userName, PolicyName: 'deny' });
    assert.equal((await user.secrets.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'v1');
  } finally {
    user.secrets.destroy();
    user.kms.destroy();
  }
});

test('KMS: a user needs both its IAM policy and the key policy (the default delegates to IAM); conditions on the encryption context apply', async () => {
  const kms = new KMSClient(clientConfig(server));
  const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  kms.destroy();
  const user = await userWith('kms', [
    { Effect: 'Allow', Action: 'kms:Encrypt', Resource: keyId },
    { Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyId, Condition: { StringEquals: { 'kms:EncryptionContext:app': 'web' } } },
  ]);
  try {
    const blob = (await user.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('p'), EncryptionContext: { app: 'web' } }))).CiphertextBlob!;
    assert.equal(Buffer.from((await user.kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { app: 'web' } }))).Plaintext!).toString(), 'p');
    const other = (await user.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('q'), EncryptionContext: { app: 'batch' } }))).CiphertextBlob!;
    const refused = await rejectsWith(user.kms.send(new DecryptCommand({ CiphertextBlob: other, EncryptionContext: { app: 'batch' } })), 'AccessDeniedException');
    assert.equal(refused.message, `User: ${user.arn} is not authorized to perform: kms:Decrypt on resource: ${keyId} because no identity-based policy allows the kms:Decrypt action`);
    await rejectsWith(user.kms.send(new CreateKeyCommand({})), 'AccessDeniedException');
  } finally {
    user.secrets.destroy();
    user.kms.destroy();
  }
});
