// `coffer rotation-functions ...` as a user runs it, against a live server:
// every kind, list / get / update / delete, validation failures as one line
// and exit 1, the webhook signing key shown once and written nowhere in the
// clear, and unsigned or badly signed calls refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BIN, readCredentials, startServer, tempDir, type TestServer } from '../support/coffer-server.js';
import { cleanEnv, describeRun, run } from '../support/child-process.js';

let server: TestServer;
/** Every signing key the CLI printed: none may appear in the data directory or the log. */
const shownKeys: Buffer[] = [];

before(async () => {
  server = await startServer({ args: ['--log-level', 'trace'] });
});
after(async () => {
  await server?.stop();
});

/** Runs `coffer rotation-functions ...` with the server's administrator profile, as the AWS CLI would find it. */
async function cli(args: string[], env: Record<string, string> = {}) {
  const result = await run(
    process.execPath,
    [BIN, 'rotation-functions', ...args],
    cleanEnv({ AWS_ENDPOINT_URL: server.url, AWS_SHARED_CREDENTIALS_FILE: join(server.dataDir, 'credentials'), AWS_PROFILE: 'coffer', ...env }),
  );
  return { ...result, describe: () => describeRun(`coffer rotation-functions ${args.join(' ')}`, result) };
}

/** Runs a command that must succeed; returns its JSON output, noting any signing key it showed. */
async function cliOk(args: string[], env?: Record<string, string>): Promise<Record<string, any>> {
  const result = await cli(args, env);
  assert.equal(result.code, 0, result.describe());
  if (!result.stdout.trim()) return {};
  const out = JSON.parse(result.stdout) as Record<string, any>;
  if (out.SigningKey) shownKeys.push(Buffer.from(out.SigningKey as string, 'base64'));
  return out;
}

/** A refusal: exit 1 and a single line on stderr that matches `message`. */
async function cliFails(args: string[], message: RegExp, env?: Record<string, string>): Promise<void> {
  const result = await cli(args, env);
  assert.equal(result.code, 1, result.describe());
  assert.equal(result.stdout, '', result.describe());
  assert.equal(result.stderr.trim().split('\n').length, 1, result.describe());
  assert.match(result.stderr, message, result.describe());
}

const arn = (name: string, region = 'us-east-1') => `arn:aws:lambda:${region}:000000000000:function:${name}`;

test('every kind is created and printed with its FunctionArn; list, get, update and delete', async () => {
  const settings: Record<string, string[]> = {
    webhook: ['--url', 'https://rotator.example.com/hook'],
    command: ['--command', '/usr/local/bin/rotate --user app'],
  };
  const kinds = ['postgresql-single-user', 'postgresql-alternating-users', 'mysql-single-user', 'mysql-alternating-users', 'redis-single-user', 'webhook', 'command'];
  const before = Date.now() / 1000;
  for (const kind of kinds) {
    const fn = await cliOk(['create', '--name', `crud-${kind}`, '--kind', kind, ...(settings[kind] ?? [])]);
    assert.equal(fn.FunctionName, `crud-${kind}`);
    assert.equal(fn.FunctionArn, arn(`crud-${kind}`));
    assert.equal(fn.Kind, kind);
    assert.equal(fn.TimeoutSeconds, 30);
    assert.ok(fn.CreatedDate >= before - 1 && fn.CreatedDate <= Date.now() / 1000 + 1, 'epoch seconds');
    assert.equal(fn.LastModifiedDate, fn.CreatedDate);
    assert.equal('SigningKey' in fn, kind === 'webhook');
  }
  const { Functions } = await cliOk(['list']);
  assert.deepEqual(
    Functions.map((f: { FunctionName: string }) => f.FunctionName).filter((n: string) => n.startsWith('crud-')),
    kinds.map((k) => `crud-${k}`).sort(),
  );
  assert.equal(Functions.find((f: { Kind: string }) => f.Kind === 'command').Command, '/usr/local/bin/rotate --user app');

  const got = await cliOk(['get', '--name', 'crud-webhook']);
  assert.equal(got.Url, 'https://rotator.example.com/hook');

  const updated = await cliOk(['update', '--name', 'crud-command', '--command', 'rotate.sh --fast', '--timeout', '900']);
  assert.equal(updated.Command, 'rotate.sh --fast');
  assert.equal(updated.TimeoutSeconds, 900);
  assert.ok(updated.LastModifiedDate >= updated.CreatedDate);
  assert.deepEqual(await cliOk(['get', '--name', 'crud-command']), updated);

  const rekinded = await cliOk(['update', '--name', 'crud-redis-single-user', '--kind', 'command', '--command', 'redis-rotate']);
  assert.equal(rekinded.Kind, 'command');

  const deleted = await cli(['delete', '--name', 'crud-mysql-single-user']);
  assert.equal(deleted.code, 0, deleted.describe());
  assert.equal(deleted.stdout, '');
  await cliFails(['get', '--name', 'crud-mysql-single-user'], /^coffer: ResourceNotFoundException: .*function:crud-mysql-single-user/);
});

test('a webhook signing key is shown once, at create and when rotated, never by get, list or update', async () => {
  const created = await cli(['create', '--name', 'signed-hook', '--kind', 'webhook', '--url', 'http://127.0.0.1:9/hook', '--timeout', '5']);
  assert.equal(created.code, 0, created.describe());
  assert.match(created.stderr, /shown this once/);
  const fn = JSON.parse(created.stdout);
  const key = Buffer.from(fn.SigningKey, 'base64');
  shownKeys.push(key);
  assert.equal(key.length, 32);
  assert.equal(key.toString('base64'), fn.SigningKey);

  const get = await cli(['get', '--name', 'signed-hook']);
  const list = await cli(['list']);
  const update = await cli(['update', '--name', 'signed-hook', '--timeout', '10']);
  for (const r of [get, list, update]) {
    assert.equal(r.code, 0, r.describe());
    assert.ok(!r.stdout.includes('SigningKey') && !r.stdout.includes(fn.SigningKey), r.describe());
    assert.equal(r.stderr, '');
  }

  const rotated = await cliOk(['update', '--name', 'signed-hook', '--rotate-signing-key']);
  assert.equal(Buffer.from(rotated.SigningKey, 'base64').length, 32);
  assert.notEqual(rotated.SigningKey, fn.SigningKey);
  assert.equal(rotated.TimeoutSeconds, 10);
});

test('bad input: exit 1 and one line saying what is accepted; nothing is stored', async () => {
  const cases: [string[], RegExp][] = [
    [['create', '--name', 'bad name', '--kind', 'command', '--command', 'x'], /^coffer: InvalidParameterValueException: FunctionName must be 1 to 64 letters/],
    [['create', '--name', 'v'.repeat(65), '--kind', 'redis-single-user'], /InvalidParameterValueException: FunctionName/],
    [['create', '--name', 'v1', '--kind', 'lambda'], /InvalidParameterValueException: Kind must be one of: postgresql-single-user, .*webhook, command\./],
    [['create', '--name', 'v1', '--kind', 'webhook'], /InvalidParameterValueException: webhook functions need a Url \(--url\)/],
    [['create', '--name', 'v1', '--kind', 'webhook', '--url', 'http://rotator.example.com/hook'], /InvalidParameterValueException: Url must use https: .*loopback host/],
    [['create', '--name', 'v1', '--kind', 'webhook', '--url', 'https://u:p@rotator.example.com/'], /must not carry credentials/],
    [['create', '--name', 'v1', '--kind', 'command'], /InvalidParameterValueException: command functions need a Command \(--command\)/],
    [['create', '--name', 'v1', '--kind', 'mysql-single-user', '--url', 'https://a.example/'], /mysql-single-user functions take no Url or Command/],
    [['create', '--name', 'v1', '--kind', 'redis-single-user', '--timeout', '0'], /TimeoutSeconds must be a whole number of seconds from 1 to 900/],
    [['create', '--name', 'v1', '--kind', 'redis-single-user', '--timeout', '901'], /from 1 to 900/],
    [['create', '--name', 'v1', '--kind', 'redis-single-user', '--timeout', '1.5'], /--timeout .*invalid\. Give a whole number of seconds/],
    [['create', '--name', 'v1'], /required option '--kind <kind>' not specified/],
    [['get', '--name', 'v1'], /^coffer: ResourceNotFoundException: Rotation function not found: arn:aws:lambda:us-east-1:000000000000:function:v1/],
    [['update', '--name', 'v1', '--timeout', '5'], /ResourceNotFoundException/],
    [['delete', '--name', 'v1'], /ResourceNotFoundException/],
  ];
  // Independent refusals: run together, each CLI start loads the whole program.
  await Promise.all(cases.map(([args, message]) => cliFails(args, message)));

  await cliOk(['create', '--name', 'taken', '--kind', 'command', '--command', 'x']);
  await cliFails(['create', '--name', 'taken', '--kind', 'redis-single-user'], /^coffer: ResourceConflictException: .*taken already exists/);
  await cliFails(['update', '--name', 'taken'], /InvalidParameterValueException: Nothing to update/);
  await cliFails(['update', '--name', 'taken', '--rotate-signing-key'], /Only webhook functions have a signing key/);
  await cliFails(['update', '--name', 'taken', '--kind', 'webhook'], /webhook functions need a Url/);

  const names = (await cliOk(['list'])).Functions.map((f: { FunctionName: string }) => f.FunctionName);
  assert.ok(!names.some((n: string) => n.startsWith('v')), names.join());
  assert.equal((await cliOk(['get', '--name', 'taken'])).Kind, 'command', 'the failed changes left it as it was');
});

test('the endpoint comes from --endpoint-url or AWS_ENDPOINT_URL; functions are per region of the signature', async () => {
  const flagged = await cliOk(['list', '--endpoint-url', server.url], { AWS_ENDPOINT_URL: '' });
  assert.ok(Array.isArray(flagged.Functions));
  await cliFails(['list'], /no Coffer server given: looked at --endpoint-url, AWS_ENDPOINT_URL and the endpoint_url of profile/, { AWS_ENDPOINT_URL: '' });

  const west = { AWS_REGION: 'eu-west-1' };
  assert.deepEqual((await cliOk(['list'], west)).Functions, []);
  const fn = await cliOk(['create', '--name', 'taken', '--kind', 'redis-single-user'], west);
  assert.equal(fn.FunctionArn, arn('taken', 'eu-west-1'), 'the us-east-1 function of that name is another one');
  assert.equal((await cliOk(['get', '--name', 'taken'])).Kind, 'command');
});

test('unsigned, unknown-key and wrongly signed calls are refused with the AWS auth error', async () => {
  const unsigned = await fetch(server.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'CofferRotationFunctions.CreateRotationFunction' },
    body: JSON.stringify({ FunctionName: 'anonymous', Kind: 'command', Command: 'id' }),
  });
  assert.equal(unsigned.status, 400);
  assert.equal(((await unsigned.json()) as { __type: string }).__type, 'MissingAuthenticationTokenException');

  const dir = tempDir();
  const unknown = join(dir, 'unknown');
  writeFileSync(unknown, '[coffer]\naws_access_key_id = AKIAUNKNOWN000000000\naws_secret_access_key = x\n');
  await cliFails(['create', '--name', 'anonymous', '--kind', 'command', '--command', 'id'], /^coffer: UnrecognizedClientException: /, {
    AWS_SHARED_CREDENTIALS_FILE: unknown,
  });

  const wrongSecret = join(dir, 'wrong-secret');
  writeFileSync(wrongSecret, `[coffer]\naws_access_key_id = ${readCredentials(join(server.dataDir, 'credentials')).accessKeyId}\naws_secret_access_key = not-the-secret\n`);
  const forged = await cli(['create', '--name', 'anonymous', '--kind', 'command', '--command', 'id'], { AWS_SHARED_CREDENTIALS_FILE: wrongSecret });
  assert.equal(forged.code, 1, forged.describe());
  assert.match(forged.stderr, /^coffer: InvalidSignatureException: /, forged.describe());

  await cliFails(['get', '--name', 'anonymous'], /ResourceNotFoundException/);
});

// Last: it stops the server to read what it left behind.
test('no signing key is written in the clear: not in the database files, the log nor the server output', async () => {
  assert.ok(shownKeys.length > 0, 'the tests above showed keys');
  assert.equal(await server.stop(), 0);

  const db = new Database(join(server.dataDir, 'coffer.db'), { readonly: true });
  const sealed = db.prepare("SELECT sealed_signing_key FROM rotation_functions WHERE kind = 'webhook'").all() as { sealed_signing_key: Buffer }[];
  db.close();
  assert.ok(sealed.length >= 2 && sealed.every((row) => row.sealed_signing_key.length > 32), 'stored sealed');

  const files = [...readdirSync(server.dataDir).map((f) => join(server.dataDir, f)), server.logFile];
  const written = files.map((path) => ({ path, bytes: readFileSync(path) }));
  written.push({ path: 'server stderr', bytes: Buffer.from(server.stderr()) });
  assert.ok(readFileSync(server.logFile, 'utf8').includes('CofferRotationFunctions.CreateRotationFunction'), 'the log saw the calls');
  for (const key of shownKeys) {
    for (const form of [key, Buffer.from(key.toString('base64')), Buffer.from(key.toString('hex')), Buffer.from(key.toString('base64url'))]) {
      for (const { path, bytes } of written) assert.ok(!bytes.includes(form), `a signing key is in ${path}`);
    }
  }
});
