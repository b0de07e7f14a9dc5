// KMS compatibility with the machine's python clients: boto3 (through
// test/e2e/python/kms_flows.py) and `aws kms ...`, run as child processes
// against one live Coffer server. Missing tools skip the tests locally and
// fail them under CI=true.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, startServer, tempDir, type TestServer } from '../support/coffer-server.js';
import { describeRun, requireTool, run, serverEnv, type RunResult } from '../support/child-process.js';

const KMS_SCRIPT = join(PROJECT_ROOT, 'test/e2e/python/kms_flows.py');

let server: TestServer;
let scratch: string;

async function boto3Flows(t: TestContext): Promise<void> {
  if (!(await requireTool(t, 'boto3', 'python3', ['-c', 'import boto3']))) return;
  const r = await run('python3', [KMS_SCRIPT], serverEnv(server));
  assert.equal(r.code, 0, describeRun('kms_flows.py', r));
}

// ---------------------------------------------------------------------------- AWS CLI

/** Runs `aws --endpoint-url <server> --output json kms <args>`. */
function awsKms(args: string[]): Promise<RunResult> {
  return run('aws', ['--endpoint-url', server.url, '--output', 'json', 'kms', ...args], serverEnv(server));
}

/** Runs an `aws kms` subcommand that must succeed, and parses its JSON output. */
async function awsJson(args: string[]): Promise<Record<string, any>> {
  const r = await awsKms(args);
  assert.equal(r.code, 0, describeRun(`aws kms ${args.join(' ')}`, r));
  return r.stdout.trim() === '' ? {} : JSON.parse(r.stdout);
}

/** Writes `bytes` to a scratch file and returns its fileb:// URL for a blob parameter. */
function fileb(name: string, bytes: Uint8Array): string {
  const path = join(scratch, name);
  writeFileSync(path, bytes);
  return `fileb://${path}`;
}

async function awsCliFlows(t: TestContext): Promise<void> {
  if (!(await requireTool(t, 'the AWS CLI (aws)', 'aws', ['--version']))) return;
  const alias = `alias/cli-${randomUUID().slice(0, 8)}`;
  const context = ['--encryption-context', 'purpose=cli,tenant=acme'];
  let key: Record<string, any> = {};

  await t.test('create-key, create-alias, describe-key through the alias', async () => {
    key = (await awsJson(['create-key', '--description', 'made by the CLI'])).KeyMetadata;
    assert.equal(key.KeyState, 'Enabled');
    assert.equal(key.Description, 'made by the CLI');
    assert.equal(key.KeyManager, 'CUSTOMER');
    assert.equal(key.Arn, `arn:aws:kms:${server.region}:${key.AWSAccountId}:key/${key.KeyId}`);
    assert.deepEqual(await awsJson(['create-alias', '--alias-name', alias, '--target-key-id', key.KeyId]), {});
    assert.equal((await awsJson(['describe-key', '--key-id', alias])).KeyMetadata.KeyId, key.KeyId);
  });

  await t.test('list-aliases --key-id, and list-keys paginated by the CLI', async () => {
    const aliases = await awsJson(['list-aliases', '--key-id', key.KeyId]);
    assert.deepEqual(aliases.Aliases.map((a: { AliasName: string }) => a.AliasName), [alias]);
    assert.equal(aliases.Aliases[0].TargetKeyId, key.KeyId);
    // --page-size 1 makes the CLI follow NextMarker across requests and merge the pages.
    const keys = await awsJson(['list-keys', '--page-size', '1']);
    assert.ok(keys.Keys.some((k: { KeyId: string }) => k.KeyId === key.KeyId), 'key not in list-keys');
  });

  await t.test('encrypt and decrypt binary data through fileb://, with an encryption context', async () => {
    const plaintext = Buffer.from([0, 1, 2, 250, 251, 255, 10, 13, ...Buffer.from('payload')]);
    const encrypted = await awsJson(['encrypt', '--key-id', alias, '--plaintext', fileb('plain.bin', plaintext), ...context]);
    assert.equal(encrypted.KeyId, key.Arn);
    assert.equal(encrypted.EncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
    const blob = fileb('blob.bin', Buffer.from(encrypted.CiphertextBlob, 'base64'));

    const decrypted = await awsJson(['decrypt', '--ciphertext-blob', blob, ...context]);
    assert.deepEqual(Buffer.from(decrypted.Plaintext, 'base64'), plaintext);
    assert.equal(decrypted.KeyId, key.Arn);

    // The usual shell idiom: just the plaintext, as base64 text.
    const text = await awsKms(['decrypt', '--ciphertext-blob', blob, ...context, '--query', 'Plaintext', '--output', 'text']);
    assert.equal(text.code, 0, describeRun('aws kms decrypt --query Plaintext', text));
    assert.deepEqual(Buffer.from(text.stdout.trim(), 'base64'), plaintext);

    const wrong = await awsKms(['decrypt', '--ciphertext-blob', blob, '--encryption-context', 'purpose=other']);
    assert.ok(wrong.code === 254 || wrong.code === 255, describeRun('aws kms decrypt (wrong context)', wrong));
    assert.match(wrong.stderr, /InvalidCiphertextException/, describeRun('aws kms decrypt (wrong context)', wrong));
  });

  await t.test('generate-data-key', async () => {
    const out = await awsJson(['generate-data-key', '--key-id', key.Arn, '--key-spec', 'AES_256']);
    assert.equal(Buffer.from(out.Plaintext, 'base64').length, 32);
    const opened = await awsJson(['decrypt', '--ciphertext-blob', fileb('datakey.bin', Buffer.from(out.CiphertextBlob, 'base64'))]);
    assert.equal(opened.Plaintext, out.Plaintext);
  });

  await t.test('an unknown alias exits non-zero with NotFoundException', async () => {
    const r = await awsKms(['describe-key', '--key-id', `${alias}-missing`]);
    assert.ok(r.code === 254 || r.code === 255, describeRun('aws kms describe-key (missing)', r));
    assert.match(r.stderr, /NotFoundException/, describeRun('aws kms describe-key (missing)', r));
    assert.equal(r.stdout.trim(), '');
  });
}

// One server for the file; the two clients run side by side against it.
describe('python clients against the KMS API', { concurrency: true }, () => {
  before(async () => {
    server = await startServer();
    scratch = tempDir('coffer-kms-python-clients-');
  });
  after(async () => {
    assert.equal(await server.stop(), 0, `server did not exit cleanly:\n${server.stderr()}`);
  });

  test('boto3 drives the main KMS flows', boto3Flows);
  test('the AWS CLI drives the main KMS flows', awsCliFlows);
});
