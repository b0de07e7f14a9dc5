// End-to-end compatibility with the machine's python clients: boto3 (through
// test/e2e/python/boto3_flows.py and replication_flows.py) and the AWS CLI, run
// as child processes against one live Coffer server. Missing tools skip the
// tests locally and fail them under CI=true.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, startServer, tempDir, type TestServer } from '../support/coffer-server.js';
import { cleanEnv, describeRun, requireTool, run, serverEnv, type RunResult } from '../support/child-process.js';
import { createRotationFunction } from '../rotation/rotation-e2e.js';

const BOTO3_SCRIPT = join(PROJECT_ROOT, 'test/e2e/python/boto3_flows.py');
const REPLICATION_SCRIPT = join(PROJECT_ROOT, 'test/e2e/python/replication_flows.py');
const EXAMPLE_ROTATION = join(PROJECT_ROOT, 'examples/rotation');

let server: TestServer;
let scratch: string;

const requireBoto3 = (t: TestContext) => requireTool(t, 'boto3', 'python3', ['-c', 'import boto3']);
const requireAwsCli = (t: TestContext) => requireTool(t, 'the AWS CLI (aws)', 'aws', ['--version']);

async function boto3Flows(t: TestContext): Promise<void> {
  if (!(await requireBoto3(t))) return;
  const r = await run('python3', [BOTO3_SCRIPT], serverEnv(server));
  assert.equal(r.code, 0, describeRun('boto3_flows.py', r));
}

async function boto3Replication(t: TestContext): Promise<void> {
  if (!(await requireBoto3(t))) return;
  // The example Lambda, unchanged, rotates the primary; the script checks its replica follows.
  const rotator = await createRotationFunction(server, 'py-replicated-rotator', `python3 ${EXAMPLE_ROTATION}/run-lambda.py ${EXAMPLE_ROTATION}/lambda_function.py`);
  const r = await run('python3', [REPLICATION_SCRIPT], { ...serverEnv(server), ROTATION_FUNCTION_ARN: rotator });
  assert.equal(r.code, 0, describeRun('replication_flows.py', r));
}

// ---------------------------------------------------------------------------- AWS CLI

/** Runs `aws --endpoint-url <server> --output json secretsmanager <args>`. */
function awsSm(args: string[], env = serverEnv(server)): Promise<RunResult> {
  return run('aws', ['--endpoint-url', server.url, '--output', 'json', 'secretsmanager', ...args], env);
}

/** Runs an `aws secretsmanager` subcommand that must succeed, and parses its JSON output. */
async function awsJson(args: string[]): Promise<Record<string, any>> {
  const r = await awsSm(args);
  assert.equal(r.code, 0, describeRun(`aws secretsmanager ${args.join(' ')}`, r));
  return r.stdout.trim() === '' ? {} : JSON.parse(r.stdout);
}

async function awsCliFlows(t: TestContext): Promise<void> {
  if (!(await requireAwsCli(t))) return;
  const prefix = `cli-${randomUUID().slice(0, 8)}/`;
  const db = `${prefix}db`;
  const arnPattern = (name: string) => new RegExp(`^arn:aws:secretsmanager:${server.region}:\\d{12}:secret:${name}-[A-Za-z0-9]{6}$`);

  await t.test('create-secret and get-secret-value (string)', async () => {
    const created = await awsJson(['create-secret', '--name', db, '--description', 'the database', '--secret-string', '{"username":"app","password":"pw1"}']);
    assert.match(created.ARN, arnPattern(db));
    assert.equal(created.Name, db);
    assert.ok(created.VersionId);
    const value = await awsJson(['get-secret-value', '--secret-id', db]);
    assert.equal(value.SecretString, '{"username":"app","password":"pw1"}');
    assert.deepEqual(value.VersionStages, ['AWSCURRENT']);
    assert.equal(value.VersionId, created.VersionId);
    // CLI v1 prints the wire's epoch seconds, v2 converts them to ISO 8601.
    assert.ok(typeof value.CreatedDate === 'number' || !Number.isNaN(Date.parse(value.CreatedDate)), `CreatedDate ${value.CreatedDate}`);
    const byArn = await awsJson(['get-secret-value', '--secret-id', created.ARN]);
    assert.equal(byArn.Name, db);
  });

  await t.test('create-secret --secret-binary fileb:// round-trips the bytes', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 255, 10, 13]);
    const file = join(scratch, 'binary.bin');
    writeFileSync(file, bytes);
    await awsJson(['create-secret', '--name', `${prefix}bin`, '--secret-binary', `fileb://${file}`]);
    const value = await awsJson(['get-secret-value', '--secret-id', `${prefix}bin`]);
    assert.equal(value.SecretString, undefined);
    assert.deepEqual(Buffer.from(value.SecretBinary, 'base64'), bytes);
  });

  await t.test('put-secret-value moves AWSCURRENT and AWSPREVIOUS', async () => {
    const before = await awsJson(['get-secret-value', '--secret-id', db]);
    const put = await awsJson(['put-secret-value', '--secret-id', db, '--secret-string', '{"username":"app","password":"pw2"}']);
    assert.deepEqual(put.VersionStages, ['AWSCURRENT']);
    assert.notEqual(put.VersionId, before.VersionId);
    const [current, previous] = await Promise.all([
      awsJson(['get-secret-value', '--secret-id', db]),
      awsJson(['get-secret-value', '--secret-id', db, '--version-stage', 'AWSPREVIOUS']),
    ]);
    assert.equal(JSON.parse(current.SecretString).password, 'pw2');
    assert.equal(previous.VersionId, before.VersionId);
    assert.deepEqual(previous.VersionStages, ['AWSPREVIOUS']);
  });

  await t.test('describe-secret', async () => {
    const d = await awsJson(['describe-secret', '--secret-id', db]);
    assert.equal(d.Name, db);
    assert.equal(d.Description, 'the database');
    assert.equal(Object.keys(d.VersionIdsToStages).length, 2);
    assert.deepEqual(Object.values(d.VersionIdsToStages).flat().sort(), ['AWSCURRENT', 'AWSPREVIOUS']);
    assert.equal(d.KmsKeyId, undefined);
  });

  await t.test('list-secrets with a filter, paginated by the CLI', async () => {
    // --page-size 1 makes the CLI follow NextToken across several requests and merge the pages.
    const listed = await awsJson(['list-secrets', '--filters', `Key=name,Values=${prefix}`, '--page-size', '1']);
    assert.deepEqual(listed.SecretList.map((s: { Name: string }) => s.Name).sort(), [`${prefix}bin`, db]);
    assert.equal(listed.NextToken, undefined);
    const none = await awsJson(['list-secrets', '--filters', `Key=name,Values=${prefix}nothing-here`]);
    assert.deepEqual(none.SecretList, []);
  });

  await t.test('get-random-password', async () => {
    const out = await awsJson(['get-random-password', '--password-length', '24', '--exclude-punctuation']);
    assert.match(out.RandomPassword, /^[A-Za-z0-9]{24}$/);
  });

  await t.test('delete-secret --force-delete-without-recovery, then the secret is gone', async () => {
    const deleted = await awsJson(['delete-secret', '--secret-id', db, '--force-delete-without-recovery']);
    assert.equal(deleted.Name, db);
    assert.ok(deleted.DeletionDate);
    const listed = await awsJson(['list-secrets', '--filters', `Key=name,Values=${prefix}`]);
    assert.deepEqual(listed.SecretList.map((s: { Name: string }) => s.Name), [`${prefix}bin`]);
  });

  await t.test('get-secret-value of a missing secret exits non-zero with ResourceNotFoundException', async () => {
    const r = await awsSm(['get-secret-value', '--secret-id', db]);
    assert.ok(r.code === 254 || r.code === 255, describeRun('aws secretsmanager get-secret-value (missing)', r));
    assert.match(r.stderr, /ResourceNotFoundException/, describeRun('aws secretsmanager get-secret-value (missing)', r));
    assert.equal(r.stdout.trim(), '');
  });

  await t.test('a bad recovery window is an InvalidParameterException', async () => {
    const r = await awsSm(['delete-secret', '--secret-id', `${prefix}bin`, '--recovery-window-in-days', '3']);
    assert.ok(r.code === 254 || r.code === 255, describeRun('aws secretsmanager delete-secret (bad window)', r));
    assert.match(r.stderr, /InvalidParameterException/, describeRun('aws secretsmanager delete-secret (bad window)', r));
  });
}

async function firstStartCredentialsFile(t: TestContext): Promise<void> {
  if (!(await requireAwsCli(t))) return;
  const name = `first-start-${randomUUID().slice(0, 8)}`;
  await awsJson(['create-secret', '--name', name, '--secret-string', 'x']);
  // Exactly the README's promise: the profile file written on first start, nothing else
  // (no keys, no region), and no developer config.
  const env = cleanEnv({
    AWS_SHARED_CREDENTIALS_FILE: join(server.dataDir, 'credentials'),
    AWS_PROFILE: 'coffer',
    AWS_CONFIG_FILE: '/dev/null',
  });
  const r = await run('aws', ['--endpoint-url', server.url, 'secretsmanager', 'list-secrets'], env);
  assert.equal(r.code, 0, describeRun('aws --endpoint-url <url> secretsmanager list-secrets', r));
  const listed = JSON.parse(r.stdout);
  // Listed in the server's region: the region came from the credentials file.
  assert.ok(listed.SecretList.some((s: { Name: string }) => s.Name === name), `${name} not listed:\n${r.stdout}`);
}

// One server for the file; the three clients run side by side against it.
describe('python clients against a live server', { concurrency: true }, () => {
  before(async () => {
    // Failed replicas are retried at every sweep.
    server = await startServer({ args: ['--sweep-interval', '1'] });
    scratch = tempDir('coffer-python-clients-');
  });
  after(async () => {
    assert.equal(await server.stop(), 0, `server did not exit cleanly:\n${server.stderr()}`);
  });

  test('boto3 drives the main Secrets Manager flows', boto3Flows);
  test('boto3 drives replication across regions, a rotation of the primary included', boto3Replication);
  test('the AWS CLI drives the main Secrets Manager flows', awsCliFlows);
  test('first start: the credentials file alone configures the AWS CLI', firstStartCredentialsFile);
});
