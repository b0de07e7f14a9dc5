// IAM and STS (the AWS query protocol) with the machine's python clients: boto3 (through
// test/e2e/python/iam_flows.py) and `aws iam ...` / `aws sts ...`, run as child processes against
// one live Coffer server. Missing tools skip the tests locally and fail them under CI=true.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { PROJECT_ROOT, startServer, type TestServer } from '../support/coffer-server.js';
import { cleanEnv, describeRun, requireTool, run, serverEnv, type RunResult } from '../support/child-process.js';

const IAM_SCRIPT = join(PROJECT_ROOT, 'test/e2e/python/iam_flows.py');

let server: TestServer;

async function boto3Flows(t: TestContext): Promise<void> {
  if (!(await requireTool(t, 'boto3', 'python3', ['-c', 'import boto3']))) return;
  const r = await run('python3', [IAM_SCRIPT], serverEnv(server));
  assert.equal(r.code, 0, describeRun('iam_flows.py', r));
}

interface Keys {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken?: string;
}

/** Runs `aws --endpoint-url <server> --output json <args>`, as the administrator or with the given keys. */
function aws(args: string[], keys?: Keys): Promise<RunResult> {
  const env = keys
    ? cleanEnv({
        AWS_ACCESS_KEY_ID: keys.AccessKeyId,
        AWS_SECRET_ACCESS_KEY: keys.SecretAccessKey,
        ...(keys.SessionToken ? { AWS_SESSION_TOKEN: keys.SessionToken } : {}),
        AWS_DEFAULT_REGION: server.region,
        AWS_MAX_ATTEMPTS: '1',
      })
    : serverEnv(server);
  return run('aws', ['--endpoint-url', server.url, '--output', 'json', ...args], env);
}

async function awsJson(args: string[], keys?: Keys): Promise<Record<string, any>> {
  const r = await aws(args, keys);
  assert.equal(r.code, 0, describeRun(`aws ${args.join(' ')}`, r));
  return r.stdout.trim() === '' ? {} : JSON.parse(r.stdout);
}

async function awsFails(args: string[], code: string, keys?: Keys): Promise<void> {
  const r = await aws(args, keys);
  assert.ok(r.code === 254 || r.code === 255, describeRun(`aws ${args.join(' ')}`, r));
  assert.match(r.stderr, new RegExp(`\\(${code}\\)`), describeRun(`aws ${args.join(' ')}`, r));
}

async function awsCliFlows(t: TestContext): Promise<void> {
  if (!(await requireTool(t, 'the AWS CLI (aws)', 'aws', ['--version']))) return;
  const run = `cli-${randomUUID().slice(0, 8)}`;
  let user: Record<string, any> = {};
  let key: Keys = { AccessKeyId: '', SecretAccessKey: '' };
  let role: Record<string, any> = {};

  await t.test('sts get-caller-identity as the administrator: the root user', async () => {
    const me = await awsJson(['sts', 'get-caller-identity']);
    assert.equal(me.Arn, `arn:aws:iam::${me.Account}:root`);
  });

  await t.test('create-user, create-access-key, and the key signs as the user', async () => {
    user = (await awsJson(['iam', 'create-user', '--user-name', `${run}-user`])).User;
    key = (await awsJson(['iam', 'create-access-key', '--user-name', user.UserName])).AccessKey;
    const me = await awsJson(['sts', 'get-caller-identity'], key);
    assert.equal(me.Arn, user.Arn);
    assert.equal(me.UserId, user.UserId);
    await awsFails(['iam', 'get-user', '--user-name', `${run}-nobody`], 'NoSuchEntity');
  });

  await t.test('create-role trusting the user, assume-role, and the session signs as the assumed role', async () => {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: user.Arn }, Action: 'sts:AssumeRole' }] });
    role = (await awsJson(['iam', 'create-role', '--role-name', `${run}-role`, '--assume-role-policy-document', trust])).Role;
    const assumed = await awsJson(['sts', 'assume-role', '--role-arn', role.Arn, '--role-session-name', 'cli'], key);
    const session: Keys = assumed.Credentials;
    const me = await awsJson(['sts', 'get-caller-identity'], session);
    assert.equal(me.Arn, `arn:aws:sts::${me.Account}:assumed-role/${role.RoleName}/cli`);
    await awsFails(['sts', 'get-caller-identity'], 'InvalidClientTokenId', { ...session, SessionToken: `${session.SessionToken}x` });
  });

  await t.test('managed policies: create, attach, list attached, detach, delete', async () => {
    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:ListSecrets', Resource: '*' }] });
    const policy = (await awsJson(['iam', 'create-policy', '--policy-name', `${run}-policy`, '--policy-document', document])).Policy;
    await awsJson(['iam', 'attach-role-policy', '--role-name', role.RoleName, '--policy-arn', policy.Arn]);
    const attached = await awsJson(['iam', 'list-attached-role-policies', '--role-name', role.RoleName]);
    assert.deepEqual(attached.AttachedPolicies, [{ PolicyName: policy.PolicyName, PolicyArn: policy.Arn }]);
    await awsFails(['iam', 'delete-policy', '--policy-arn', policy.Arn], 'DeleteConflict');
    await awsJson(['iam', 'detach-role-policy', '--role-name', role.RoleName, '--policy-arn', policy.Arn]);
    await awsJson(['iam', 'delete-policy', '--policy-arn', policy.Arn]);
    await awsJson(['iam', 'delete-role', '--role-name', role.RoleName]);
  });
}

describe('python clients against the IAM and STS APIs', { concurrency: true }, () => {
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    assert.equal(await server.stop(), 0, `server did not exit cleanly:\n${server.stderr()}`);
  });

  test('boto3 drives the IAM and STS flows', boto3Flows);
  test('the AWS CLI drives the IAM and STS flows', awsCliFlows);
});
