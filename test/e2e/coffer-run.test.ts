// `coffer run` against a live server, found as the AWS CLI finds it: secrets in the command's
// environment or a 0600 dotenv file, signals passed on, exit statuses returned, never a value
// printed, and --watch restarting (or signalling) the command when a secret changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { BIN, sharedServer } from '../support/coffer-server.js';
import { cleanEnv, describeRun, run } from '../support/child-process.js';
import { uniqueName } from '../support/sdk-errors.js';

const shared = sharedServer();
const PASSWORD = 'pa55-w0rd-not-to-print';

/** The environment `coffer` finds the server and credentials in: the administrator's profile, as for the AWS CLI. */
function cofferEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { server } = shared;
  return cleanEnv({ AWS_ENDPOINT_URL: server.url, AWS_SHARED_CREDENTIALS_FILE: join(server.dataDir, 'credentials'), AWS_PROFILE: 'coffer', ...extra });
}

const coffer = (args: string[], env = cofferEnv()) => run(process.execPath, ['--', BIN, ...args], env);

/** A script printing the named variables as JSON. */
const printVars = (...names: string[]) => ['--', process.execPath, '-e', `console.log(JSON.stringify(Object.fromEntries(${JSON.stringify(names)}.map((n) => [n, process.env[n] ?? null]))))`];

async function createSecrets(): Promise<{ db: string; key: string }> {
  const db = uniqueName('run/db');
  const key = uniqueName('run/api-key');
  await shared.client.send(new CreateSecretCommand({ Name: db, SecretString: JSON.stringify({ username: 'app', password: PASSWORD, port: 5432, 'read-only': true, extra: { a: 1 }, none: null }) }));
  await shared.client.send(new CreateSecretCommand({ Name: key, SecretString: 'k3y' }));
  return { db, key };
}

test('secrets become variables by the naming rule, with --prefix, NAME=ID and ID#KEY; nothing is printed', async () => {
  const { db, key } = await createSecrets();
  const keyVar = key.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  const r = await coffer(['run', '--secret', db, '--secret', key, '--secret', `PW=${db}#password`, '--secret', `RAW=${key}`, ...printVars('USERNAME', 'PASSWORD', 'PORT', 'READ_ONLY', 'EXTRA', 'NONE', keyVar, 'PW', 'RAW', 'HOME')]);
  assert.equal(r.code, 0, describeRun('coffer run', r));
  assert.deepEqual(JSON.parse(r.stdout), {
    USERNAME: 'app', PASSWORD, PORT: '5432', READ_ONLY: 'true', EXTRA: '{"a":1}', NONE: '', [keyVar]: 'k3y', PW: PASSWORD, RAW: 'k3y', HOME: process.env.HOME ?? null,
  });
  assert.equal(r.stderr, '');

  const prefixed = await coffer(['run', '--prefix', 'DB_', '--secret', db, '--secret', `${db}#port`, ...printVars('DB_USERNAME')]);
  assert.notEqual(prefixed.code, 0, 'two specs making DB_PORT are refused');
  assert.match(prefixed.stderr, /both make the variable DB_PORT/);
  assert.ok(!prefixed.stderr.includes(PASSWORD) && !prefixed.stdout.includes(PASSWORD));
  const ok = await coffer(['run', '--prefix', 'DB_', '--secret', db, ...printVars('DB_USERNAME')]);
  assert.deepEqual(JSON.parse(ok.stdout), { DB_USERNAME: 'app' });
});

test("a secret that cannot be read fails the run before the command starts, naming the secret and not a value; the command's exit status is returned", async () => {
  const { db } = await createSecrets();
  const missing = await coffer(['run', '--secret', db, '--secret', 'run/nothing-here', '--', 'touch', join(tmpdir(), 'coffer-run-must-not-exist')]);
  assert.equal(missing.code, 125, describeRun('coffer run', missing));
  assert.match(missing.stderr, /run\/nothing-here cannot be read: ResourceNotFoundException/);
  assert.ok(!missing.stderr.includes(PASSWORD));
  assert.equal((await coffer(['run', '--secret', `${db}#nokey`, '--', 'true'])).code, 125);
  assert.equal((await coffer(['run', '--', process.execPath, '-e', 'process.exit(7)'])).code, 7);
  assert.equal((await coffer(['run', '--', 'no-such-command-anywhere'])).code, 127);
  const unknown = await coffer(['run', '--bogus', 'x', '--', 'true']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /unknown option '--bogus'/);
  assert.match((await coffer(['run', '--help'])).stdout, /--watch-signal <signal>/);
  const killed = await coffer(['run', '--', process.execPath, '-e', "process.kill(process.pid, 'SIGTERM')"]);
  assert.equal(killed.code, null, 'killed by the same signal');
  assert.match(killed.stderr, /killed by SIGTERM/);
});

test('signals reach the command, which ends as it chooses; --env-file writes a 0600 dotenv file the command reads', async () => {
  const { db } = await createSecrets();
  const script = "process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(3); }); console.log('ready'); setInterval(() => {}, 1000);";
  const child = spawn(process.execPath, ['--', BIN, 'run', '--secret', db, '--', process.execPath, '-e', script], { env: cofferEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  while (!out.includes('ready')) await new Promise((resolve) => setTimeout(resolve, 20));
  child.kill('SIGTERM');
  const code = await new Promise((resolve) => child.once('exit', (c) => resolve(c)));
  assert.equal(code, 3);
  assert.match(out, /got SIGTERM/);

  const dir = mkdtempSync(join(tmpdir(), 'coffer-run-env-'));
  try {
    const file = join(dir, 'app.env');
    writeFileSync(file, 'OLD=1\n', { mode: 0o644 });
    const r = await coffer(['run', '--secret', db, '--secret', `QUOTED=${db}#extra`, '--env-file', file, ...printVars('PASSWORD')]);
    assert.equal(r.code, 0, describeRun('coffer run --env-file', r));
    assert.deepEqual(JSON.parse(r.stdout), { PASSWORD: null }, 'the variables went to the file instead');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const text = readFileSync(file, 'utf8');
    assert.match(text, new RegExp(`^PASSWORD='${PASSWORD}'$`, 'm'));
    assert.match(text, /^QUOTED='\{"a":1\}'$/m);
    assert.doesNotMatch(text, /OLD/);
    const only = await coffer(['run', '--secret', db, '--env-file', join(dir, 'only.env')]);
    assert.equal(only.code, 0, 'without a command: the file alone');
    assert.match(readFileSync(join(dir, 'only.env'), 'utf8'), /^USERNAME='app'$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--watch restarts the command with the new value when its secret changes, and --watch-signal signals it instead', async () => {
  const { key } = await createSecrets();
  const dir = mkdtempSync(join(tmpdir(), 'coffer-watch-'));
  try {
    const log = join(dir, 'log');
    const script = `require('fs').appendFileSync(${JSON.stringify(log)}, 'start ' + process.env.API + '\\n'); process.on('SIGHUP', () => require('fs').appendFileSync(${JSON.stringify(log)}, 'hup\\n')); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--', BIN, 'run', '--watch', '--secret', `API=${key}`, '--', process.execPath, '-e', script], { env: cofferEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    const read = () => { try { return readFileSync(log, 'utf8'); } catch { return ''; } };
    const until = async (what: RegExp) => {
      const deadline = Date.now() + 5000;
      while (!what.test(read())) {
        if (Date.now() > deadline) throw new Error(`not seen: ${what} in ${read()}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await until(/start k3y/);
    await shared.client.send(new PutSecretValueCommand({ SecretId: key, SecretString: 'n3w' }));
    await until(/start n3w/);
    child.kill('SIGTERM');
    assert.equal(await new Promise((resolve) => child.once('exit', (c, s) => resolve(c ?? s))), 'SIGTERM');

    const envFile = join(dir, 'app.env');
    const hup = spawn(process.execPath, ['--', BIN, 'run', '--watch', '--watch-signal', 'SIGHUP', '--env-file', envFile, '--secret', `API=${key}`, '--', process.execPath, '-e', script], { env: cofferEnv(), stdio: 'ignore' });
    await until(/start undefined/);
    await shared.client.send(new PutSecretValueCommand({ SecretId: key, SecretString: 'th1rd' }));
    await until(/hup/);
    assert.match(readFileSync(envFile, 'utf8'), /^API='th1rd'$/m);
    assert.equal(read().match(/start/g)!.length, 3, 'signalled, not restarted');
    hup.kill('SIGTERM');
    await new Promise((resolve) => hup.once('exit', resolve));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the server and credentials are found as the AWS CLI finds them: a profile's endpoint_url in the config file and keys in the credentials file, or the environment's", async () => {
  const { server } = shared;
  const { key } = await createSecrets();
  const dir = mkdtempSync(join(tmpdir(), 'coffer-run-config-'));
  try {
    writeFileSync(join(dir, 'config'), `[default]\nregion = eu-west-1\n\n[profile app]\nregion = us-east-1\nendpoint_url = ${server.url}\n`);
    writeFileSync(join(dir, 'credentials'), `[app]\naws_access_key_id = ${server.accessKeyId}\naws_secret_access_key = ${server.secretAccessKey}\n`);
    const files = { AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') };
    const fromFiles = await coffer(['run', '--secret', `V=${key}`, ...printVars('V')], cleanEnv({ ...files, AWS_PROFILE: 'app' }));
    assert.deepEqual(JSON.parse(fromFiles.stdout), { V: 'k3y' }, describeRun('coffer run', fromFiles));
    const flagged = await coffer(['run', '--profile', 'app', '--secret', `V=${key}`, ...printVars('V')], cleanEnv(files));
    assert.deepEqual(JSON.parse(flagged.stdout), { V: 'k3y' }, describeRun('coffer run --profile', flagged));
    const fromEnv = await coffer(['run', '--secret', `V=${key}`, ...printVars('V')], cleanEnv({
      AWS_ENDPOINT_URL_SECRETS_MANAGER: server.url, AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    }));
    assert.deepEqual(JSON.parse(fromEnv.stdout), { V: 'k3y' }, describeRun('coffer run', fromEnv));
    const nowhere = await coffer(['run', '--secret', key, '--', 'true'], cleanEnv({}));
    assert.equal(nowhere.code, 125);
    assert.match(nowhere.stderr, /give the server with --endpoint-url or AWS_ENDPOINT_URL/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
