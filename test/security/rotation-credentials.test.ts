// The credentials a rotation function acts with are AWS's model: the session of the
// function's execution role when it has one (the role's policies decide), else a session
// capped to the rotated secret's full ARN; either way they end when the rotation ends.
// The function below tries them, during a real rotation, on the secret's namesake in
// another region, and hands them out through the new secret value so that the test can
// try them after the rotation.
import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PROJECT_ROOT, clientConfig, sharedServer } from '../support/coffer-server.js';
import { requireTool } from '../support/child-process.js';
import { iamQuery } from '../support/iam-query.js';
import { rawClientFor } from '../support/raw-client.js';
import { uniqueName } from '../support/sdk-errors.js';
import { assertFailedAt, createRotationFunction, failureOf, rotationEnded } from '../rotation/rotation-e2e.js';

const PROBE = join(PROJECT_ROOT, 'test/rotation/fixtures/probe-session.py');
const OTHER_REGION = 'eu-west-1';
const LAMBDA_TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const shared = sharedServer();
let elsewhereClient: SecretsManagerClient | undefined;
after(() => elsewhereClient?.destroy());
const server = () => shared.server;
const sm = () => shared.client;
const elsewhere = () => (elsewhereClient ??= new SecretsManagerClient(clientConfig(shared.server, OTHER_REGION)));
const iam = () => iamQuery(shared.server);

const python = (t: TestContext) => requireTool(t, "boto3 for /usr/bin/python3 (Debian's python3-boto3)", '/usr/bin/python3', ['-c', 'import boto3']);

interface Report {
  caller: string;
  readElsewhere: string;
  writeElsewhere: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** A secret and its namesake in the other region; rotates the first with `fn` and returns what the probe found. */
async function rotateWithProbe(fn: string): Promise<{ name: string; report: Report }> {
  const name = uniqueName('db');
  await sm().send(new CreateSecretCommand({ Name: name, SecretString: 'us-east-1 value' }));
  await elsewhere().send(new CreateSecretCommand({ Name: name, SecretString: 'eu-west-1 value' }));
  const { VersionId } = await sm().send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn }));
  assert.equal(await rotationEnded(server(), sm(), name, VersionId!), 'succeeded', await failureOf(server(), VersionId!));
  return { name, report: JSON.parse((await sm().send(new GetSecretValueCommand({ SecretId: name }))).SecretString!) as Report };
}

test("without a role, a function's session covers the rotated secret's ARN only: its namesake in another region is refused, and the keys end with the rotation", async (t) => {
  if (!(await python(t))) return;
  const { name, report } = await rotateWithProbe(await createRotationFunction(server(), 'probe', `/usr/bin/python3 ${PROBE} ${OTHER_REGION}`));

  assert.equal(report.readElsewhere, 'AccessDeniedException');
  assert.equal(report.writeElsewhere, 'AccessDeniedException');
  assert.equal((await elsewhere().send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'eu-west-1 value');
  assert.ok(report.credentials.sessionToken, 'session credentials, with a token');
  await assertEnded(report, name);
});

test("with an execution role, the function acts as the role's session and the role's policies decide; the keys end with the rotation", async (t) => {
  if (!(await python(t))) return;
  const role = uniqueName('rotation-role').replace(/\//g, '-');
  await iam().admin({ Action: 'CreateRole', RoleName: role, AssumeRolePolicyDocument: LAMBDA_TRUST });
  // The role may use every namesake of the secret's name, in any region: the administrator's choice.
  const everywhere = { Effect: 'Allow', Action: 'secretsmanager:*', Resource: 'arn:aws:secretsmanager:*:000000000000:secret:db/*' };
  await iam().admin({ Action: 'PutRolePolicy', RoleName: role, PolicyName: 'rotation', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [everywhere] }) });
  const roleArn = `arn:aws:iam::000000000000:role/${role}`;
  const fn = await createRotationFunction(server(), 'with-role', `/usr/bin/python3 ${PROBE} ${OTHER_REGION}`, { Role: roleArn });
  const { name, report } = await rotateWithProbe(fn);

  assert.equal(report.caller, `arn:aws:sts::000000000000:assumed-role/${role}/${fn.split(':function:')[1]}`);
  assert.equal(report.readElsewhere, 'allowed');
  assert.equal(report.writeElsewhere, 'allowed');
  await assertEnded(report, name);

  // With the role's policy gone, nothing grants the function even the secret it rotates.
  await iam().admin({ Action: 'DeleteRolePolicy', RoleName: role, PolicyName: 'rotation' });
  const name2 = uniqueName('db');
  await sm().send(new CreateSecretCommand({ Name: name2, SecretString: 'v1' }));
  const { VersionId } = await sm().send(new RotateSecretCommand({ SecretId: name2, RotationLambdaARN: fn }));
  assert.equal(await rotationEnded(server(), sm(), name2, VersionId!), 'failed');
  await assertFailedAt(server(), VersionId!, 'createSecret', /AccessDeniedException/);
});

test('a role is refused unless its trust policy lets lambda.amazonaws.com assume it, as Lambda checks an execution role', async () => {
  const role = uniqueName('not-for-lambda').replace(/\//g, '-');
  const trustsEc2 = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  await iam().admin({ Action: 'CreateRole', RoleName: role, AssumeRolePolicyDocument: trustsEc2 });
  for (const Role of [`arn:aws:iam::000000000000:role/${role}`, 'arn:aws:iam::000000000000:role/no-such-role', 'not-an-arn']) {
    const res = await rawClientFor(server()).call(
      'CofferRotationFunctions.CreateRotationFunction',
      { FunctionName: uniqueName('refused').replace(/\//g, '-'), Kind: 'command', Command: 'true', Role },
      { sign: { service: 'coffer' } },
    );
    assert.equal(res.status, 400, res.text);
    assert.equal(res.json.__type, 'InvalidParameterValueException', res.text);
  }
});

/** The function's credentials are refused once its rotation has ended. */
async function assertEnded(report: Report, name: string): Promise<void> {
  const late = await rawClientFor(server()).call('GetSecretValue', { SecretId: name }, { sign: { credentials: report.credentials } });
  assert.equal(late.status, 400, late.text);
  assert.match(String(late.json?.__type), /UnrecognizedClient|InvalidClientTokenId|ExpiredToken/);
}
