// Rotation end to end on a live server: a command rotation function that is an
// unchanged AWS-style Python Lambda (examples/rotation), registered with the
// CLI, named by `aws secretsmanager rotate-secret`, observed through the SDK.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { BIN, PROJECT_ROOT, clientConfig, startServer, type TestServer } from '../support/coffer-server.js';
import { cleanEnv, describeRun, requireTool, run } from '../support/child-process.js';
import { rejectsWith, uniqueName } from '../support/sdk-errors.js';
import { assertFailedAt, rotationEnded } from '../rotation/rotation-e2e.js';

const EXAMPLE = join(PROJECT_ROOT, 'examples/rotation');
const FIXTURES = join(PROJECT_ROOT, 'test/rotation/fixtures');
let server: TestServer;
let sm: SecretsManagerClient;

before(async () => {
  server = await startServer();
  sm = new SecretsManagerClient(clientConfig(server));
});
after(async () => {
  sm.destroy();
  assert.equal(await server.stop(), 0);
});

/** The environment the AWS CLI and `coffer` use for this server: its administrator profile. */
function cliEnv(): NodeJS.ProcessEnv {
  return cleanEnv({
    AWS_ENDPOINT_URL: server.url,
    AWS_SHARED_CREDENTIALS_FILE: join(server.dataDir, 'credentials'),
    AWS_PROFILE: 'coffer',
  });
}

async function createFunction(name: string, command: string): Promise<string> {
  const result = await run(process.execPath, [BIN, 'rotation-functions', 'create', '--name', name, '--kind', 'command', '--command', command, '--timeout', '60'], cliEnv());
  assert.equal(result.code, 0, describeRun('coffer rotation-functions create', result));
  return (JSON.parse(result.stdout) as { FunctionArn: string }).FunctionArn;
}

const python = (t: TestContext) => requireTool(t, 'boto3', 'python3', ['-c', 'import boto3']);

test('an unchanged AWS-style Python rotation Lambda rotates a secret named by `aws secretsmanager rotate-secret`', async (t) => {
  if (!(await python(t)) || !(await requireTool(t, 'the AWS CLI (aws)', 'aws', ['--version']))) return;
  const arn = await createFunction(uniqueName('api-key').replace(/\//g, '-'), `python3 ${EXAMPLE}/run-lambda.py ${EXAMPLE}/lambda_function.py`);
  const name = uniqueName('rotate/api-key');
  const created = await sm.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ api_key: 'original', user: 'svc' }) }));

  const rotated = await run('aws', ['secretsmanager', 'rotate-secret', '--secret-id', name, '--rotation-lambda-arn', arn, '--rotation-rules', 'AutomaticallyAfterDays=30', '--output', 'json'], cliEnv());
  assert.equal(rotated.code, 0, describeRun('aws secretsmanager rotate-secret', rotated));
  const { VersionId } = JSON.parse(rotated.stdout) as { VersionId: string };
  assert.equal(await rotationEnded(server, sm, name, VersionId), 'succeeded', readFileSync(server.logFile, 'utf8').slice(-3000));

  const current = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString!);
  assert.notEqual(current.api_key, 'original');
  assert.equal(current.user, 'svc', 'the function kept the other fields');
  assert.equal(JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' }))).SecretString!).api_key, 'original');
  assert.equal(JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: name, VersionId: created.VersionId }))).SecretString!).api_key, 'original');

  const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
  assert.equal(described.RotationEnabled, true);
  assert.equal(described.RotationLambdaARN, arn);
  assert.deepEqual(described.RotationRules, { AutomaticallyAfterDays: 30 });
  assert.ok(described.LastRotatedDate instanceof Date);
  assert.ok(described.NextRotationDate!.getTime() > Date.now() + 29 * 86_400_000);
  const listed = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [name] }] }));
  assert.equal(listed.SecretList?.[0]?.RotationEnabled, true);
  assert.equal(listed.SecretList?.[0]?.RotationLambdaARN, arn);
});

test("a command's credentials act on the rotated secret only; a failing function fails visibly and blocks the next rotation", async (t) => {
  if (!(await python(t))) return;
  const other = uniqueName('rotate/other');
  await sm.send(new CreateSecretCommand({ Name: other, SecretString: 'not yours' }));
  // A function that tries to read another secret with the credentials it was given.
  const arn = await createFunction(uniqueName('peek').replace(/\//g, '-'), `python3 ${FIXTURES}/read-other-secret.py ${other}`);
  const name = uniqueName('rotate/scoped');
  await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));

  const started = await sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: arn }));
  assert.equal(await rotationEnded(server, sm, name, started.VersionId!), 'failed');
  // The other secret was refused to the function.
  await assertFailedAt(server, started.VersionId!, 'createSecret', /AccessDeniedException/);
  assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'v1');

  await rejectsWith(sm.send(new RotateSecretCommand({ SecretId: name })), 'InvalidRequestException', /previous rotation isn't complete/);
  const cancelled = await sm.send(new CancelRotateSecretCommand({ SecretId: name }));
  assert.equal(cancelled.VersionId, started.VersionId);
  assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: name }))).RotationEnabled, false);
});

test('RotateSecret errors as AWS gives them', async () => {
  const name = uniqueName('rotate/errors');
  await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v' }));
  await rejectsWith(sm.send(new RotateSecretCommand({ SecretId: name })), 'InvalidRequestException', /No Lambda rotation function ARN/);
  await rejectsWith(
    sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: 'arn:aws:lambda:us-east-1:000000000000:function:nothing-here' })),
    'AccessDeniedException',
    /cannot invoke the specified Lambda function/,
  );
  const arn = await createFunction(uniqueName('never-run').replace(/\//g, '-'), 'false');
  await rejectsWith(
    sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: arn, RotationRules: { ScheduleExpression: 'rate(2 hours)' } })),
    'InvalidParameterException',
  );
  await rejectsWith(sm.send(new CancelRotateSecretCommand({ SecretId: name })), 'InvalidRequestException');
  assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: name }))).RotationEnabled, undefined, 'nothing was configured');
});
