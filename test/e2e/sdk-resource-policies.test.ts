import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteResourcePolicyCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  ValidateResourcePolicyCommand,
} from '@aws-sdk/client-secrets-manager';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { clientConfig, sharedServer } from '../support/coffer-server.js';
import { NOT_FOUND, rejectsWith, uniqueName } from '../support/sdk-errors.js';

const shared = sharedServer();
const ROOT = 'arn:aws:iam::000000000000:root';

const policy = (statement: object) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
const denyRootReads = policy({ Effect: 'Deny', Principal: { AWS: ROOT }, Action: 'secretsmanager:GetSecretValue', Resource: '*' });
const publicRead = policy({ Effect: 'Allow', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*' });

async function secret(prefix: string): Promise<{ name: string; arn: string }> {
  const name = uniqueName(prefix);
  const created = await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'resource-policy-value' }));
  return { name, arn: created.ARN! };
}

test('Put/Get/DeleteResourcePolicy store the document verbatim and answer ARN and Name; Get omits it when there is none', async () => {
  const { name, arn } = await secret('policy/crud');
  assert.equal((await shared.client.send(new GetResourcePolicyCommand({ SecretId: name }))).ResourcePolicy, undefined);
  const document = `{ "Version": "2012-10-17",\n "Statement": [{"Effect":"Allow","Principal":{"AWS":"${ROOT}"},"Action":"secretsmanager:*","Resource":"*"}]}`;
  const put = await shared.client.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: document }));
  assert.deepEqual([put.ARN, put.Name], [arn, name]);
  const got = await shared.client.send(new GetResourcePolicyCommand({ SecretId: arn }));
  assert.deepEqual([got.ARN, got.Name, got.ResourcePolicy], [arn, name, document]);
  const deleted = await shared.client.send(new DeleteResourcePolicyCommand({ SecretId: name }));
  assert.deepEqual([deleted.ARN, deleted.Name], [arn, name]);
  assert.equal((await shared.client.send(new GetResourcePolicyCommand({ SecretId: name }))).ResourcePolicy, undefined);
  // Deleting again succeeds.
  await shared.client.send(new DeleteResourcePolicyCommand({ SecretId: name }));
  await rejectsWith(shared.client.send(new GetResourcePolicyCommand({ SecretId: uniqueName('policy/none') })), 'ResourceNotFoundException', NOT_FOUND);
});

test('a malformed policy is MalformedPolicyDocumentException; a public one is refused only with BlockPublicPolicy', async () => {
  const { name } = await secret('policy/checks');
  await rejectsWith(shared.client.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: '{"Statement":' })), 'MalformedPolicyDocumentException');
  await rejectsWith(
    shared.client.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: policy({ Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*' }) })),
    'MalformedPolicyDocumentException',
  );
  await rejectsWith(
    shared.client.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: publicRead, BlockPublicPolicy: true })),
    'PublicPolicyException',
  );
  assert.equal((await shared.client.send(new GetResourcePolicyCommand({ SecretId: name }))).ResourcePolicy, undefined);
  // Narrowed to the account, "*" is not public.
  const narrowed = policy({
    Effect: 'Allow',
    Principal: '*',
    Action: 'secretsmanager:GetSecretValue',
    Resource: '*',
    Condition: { StringEquals: { 'aws:PrincipalAccount': '000000000000' } },
  });
  await shared.client.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: narrowed, BlockPublicPolicy: true }));
  await shared.client.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: publicRead }));
});

test('ValidateResourcePolicy reports syntax and public access without storing anything', async () => {
  const { name } = await secret('policy/validate');
  const ok = await shared.client.send(new ValidateResourcePolicyCommand({ SecretId: name, ResourcePolicy: denyRootReads }));
  assert.equal(ok.PolicyValidationPassed, true);
  assert.deepEqual(ok.ValidationErrors, []);
  const open = await shared.client.send(new ValidateResourcePolicyCommand({ ResourcePolicy: publicRead }));
  assert.equal(open.PolicyValidationPassed, false);
  assert.equal(open.ValidationErrors?.[0]?.CheckName, 'PUBLIC_ACCESS_CHECK');
  const bad = await shared.client.send(new ValidateResourcePolicyCommand({ ResourcePolicy: '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe"}]}' }));
  assert.equal(bad.PolicyValidationPassed, false);
  assert.equal(bad.ValidationErrors?.[0]?.CheckName, 'SYNTAX_CHECK');
  assert.equal((await shared.client.send(new GetResourcePolicyCommand({ SecretId: name }))).ResourcePolicy, undefined);
});

test('a resource policy takes effect: an explicit Deny refuses even the account root, with AWS message; other actions still work', async () => {
  const { name, arn } = await secret('policy/deny-root');
  await shared.client.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: denyRootReads }));
  const error = await rejectsWith(shared.client.send(new GetSecretValueCommand({ SecretId: name })), 'AccessDeniedException');
  assert.equal(
    error.message,
    `User: ${ROOT} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${arn} with an explicit deny in a resource-based policy`,
  );
  assert.doesNotMatch(error.message, /resource-policy-value/);
  assert.equal((await shared.client.send(new DescribeSecretCommand({ SecretId: name }))).ARN, arn);

  // BatchGetSecretValue reports the refused secret in Errors and returns the others.
  const other = await secret('policy/batch-other');
  const batch = await shared.client.send(new BatchGetSecretValueCommand({ SecretIdList: [name, other.name] }));
  assert.deepEqual(batch.SecretValues?.map((v) => v.Name), [other.name]);
  assert.deepEqual(batch.Errors?.map((e) => [e.SecretId, e.ErrorCode]), [[name, 'AccessDeniedException']]);

  await shared.client.send(new DeleteResourcePolicyCommand({ SecretId: name }));
  assert.equal((await shared.client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'resource-policy-value');
});

test('a Deny on ResourceTag conditions applies by the secret\'s tags', async () => {
  const name = uniqueName('policy/tagged');
  await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'x', Tags: [{ Key: 'tier', Value: 'gold' }] }));
  const byTag = policy({
    Effect: 'Deny',
    Principal: '*',
    Action: 'secretsmanager:GetSecretValue',
    Resource: '*',
    Condition: { StringEquals: { 'secretsmanager:ResourceTag/tier': 'gold' } },
  });
  await shared.client.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: byTag }));
  await rejectsWith(shared.client.send(new GetSecretValueCommand({ SecretId: name })), 'AccessDeniedException');
});

test('a customer managed key\'s policy takes effect through Secrets Manager: denied via the service, "Access to KMS is not allowed"', async () => {
  const kms = new KMSClient(clientConfig(shared.server));
  try {
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const name = uniqueName('policy/cmk');
    await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'under-cmk', KmsKeyId: keyId }));
    const viaSecretsManager = { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } };
    const keyPolicy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Deny', Principal: { AWS: ROOT }, Action: 'kms:Decrypt', Resource: '*', Condition: viaSecretsManager },
      ],
    });
    await kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: keyPolicy }));
    await rejectsWith(shared.client.send(new GetSecretValueCommand({ SecretId: name })), 'AccessDeniedException', 'Access to KMS is not allowed');
    // Writing needs kms:GenerateDataKey, which the policy still allows; the key itself stays usable directly.
    await shared.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'second' }));
    const blob = (await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('direct') }))).CiphertextBlob;
    assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString(), 'direct');
    // Denying Decrypt outright refuses the direct call too, naming the key policy.
    const denyAll = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Deny', Principal: { AWS: ROOT }, Action: 'kms:Decrypt', Resource: '*' },
      ],
    });
    await kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: denyAll }));
    await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: blob })), 'AccessDeniedException', /with an explicit deny in a resource-based policy$/);
    await kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: keyPolicy.replace('"Deny"', '"Allow"') }));
    assert.equal((await shared.client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'second');
  } finally {
    kms.destroy();
  }
});
