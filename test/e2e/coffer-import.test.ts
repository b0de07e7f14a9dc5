// `coffer import` against a live server: secrets created or updated from a dotenv or JSON
// file, what was done said for each, no value printed; a file made one JSON secret runs back
// into variables with `coffer run`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { BIN, sharedServer } from '../support/coffer-server.js';
import { cleanEnv, describeRun, run } from '../support/child-process.js';
import { uniqueName } from '../support/sdk-errors.js';

const shared = sharedServer();

function coffer(args: string[]) {
  const { server } = shared;
  const env = cleanEnv({ AWS_ENDPOINT_URL: server.url, AWS_SHARED_CREDENTIALS_FILE: join(server.dataDir, 'credentials'), AWS_PROFILE: 'coffer' });
  return run(process.execPath, ['--', BIN, ...args], env);
}

const value = async (name: string) => (await shared.client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString;

const DOTENV = `# the app's settings
export DB_PASSWORD='s3cr3t-#1'
API_KEY = "line one\\nline \\"two\\""
PLAIN=bare value # a comment
MULTI="first
second"
EMPTY=
`;

test('a dotenv file becomes one secret per entry under --prefix; importing again changes only what changed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-import-'));
  try {
    const file = join(dir, '.env');
    writeFileSync(file, DOTENV);
    const prefix = `${uniqueName('import')}/`;
    const first = await coffer(['import', '--from', '.env', file, '--prefix', prefix]);
    assert.equal(first.code, 0, describeRun('coffer import', first));
    assert.deepEqual(first.stdout.trim().split('\n'), [
      ...['DB_PASSWORD', 'API_KEY', 'PLAIN', 'MULTI'].map((key) => `created ${prefix}${key}`),
      `skipped ${prefix}EMPTY: its value is empty, and Secrets Manager stores no empty value`,
    ]);
    assert.match(first.stderr, /4 created, 0 updated, 0 unchanged, 1 skipped, 0 failed/);
    for (const secret of ['s3cr3t', 'line one', 'bare value', 'second']) assert.ok(!first.stdout.includes(secret) && !first.stderr.includes(secret));
    assert.equal(await value(`${prefix}DB_PASSWORD`), 's3cr3t-#1');
    assert.equal(await value(`${prefix}API_KEY`), 'line one\nline "two"');
    assert.equal(await value(`${prefix}PLAIN`), 'bare value');
    assert.equal(await value(`${prefix}MULTI`), 'first\nsecond');

    writeFileSync(file, DOTENV.replace('bare value', 'changed'));
    const again = await coffer(['import', '--from', 'dotenv', file, '--prefix', prefix]);
    assert.equal(again.code, 0, describeRun('coffer import', again));
    assert.match(again.stdout, new RegExp(`^updated ${prefix}PLAIN$`, 'm'));
    assert.match(again.stderr, /0 created, 1 updated, 3 unchanged, 1 skipped, 0 failed/);
    assert.equal(await value(`${prefix}PLAIN`), 'changed');

    writeFileSync(file, 'GOOD=1\nthis line is no setting\n');
    const bad = await coffer(['import', '--from', '.env', file]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /line 2 is not NAME=value/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a JSON file becomes one secret per key, or with --name one JSON secret that coffer run turns back into variables', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-import-'));
  try {
    const file = join(dir, 'settings.json');
    writeFileSync(file, JSON.stringify({ token: 't0ken', limits: { max: 3 } }));
    const prefix = `${uniqueName('import-json')}/`;
    const r = await coffer(['import', '--from', 'json', file, '--prefix', prefix]);
    assert.equal(r.code, 0, describeRun('coffer import', r));
    assert.equal(await value(`${prefix}token`), 't0ken');
    assert.equal(await value(`${prefix}limits`), '{"max":3}');

    const env = join(dir, 'app.env');
    writeFileSync(env, 'DB_PASSWORD=pw\nPORT=5432\n');
    const name = uniqueName('import/app-env');
    const one = await coffer(['import', '--from', '.env', env, '--name', name]);
    assert.equal(one.stdout.trim(), `created ${name}`);
    const back = await coffer(['run', '--secret', name, '--', process.execPath, '-e', 'console.log(process.env.DB_PASSWORD + ":" + process.env.PORT)']);
    assert.equal(back.stdout.trim(), 'pw:5432', describeRun('coffer run', back));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a dotenv file coffer run writes imports back to the same values, whatever characters they hold", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-import-'));
  try {
    const tricky = { plain: 'abc', quotes: `it's "quoted"`, dollar: 'pa$$word ${HOME}', lines: 'one\ntwo\r\nthree', slashes: 'C:\\path\\n', hash: 'a #b', spaces: '  padded  ' };
    const source = uniqueName('import/tricky');
    await shared.client.send(new CreateSecretCommand({ Name: source, SecretString: JSON.stringify(tricky) }));
    const file = join(dir, 'tricky.env');
    const written = await coffer(['run', '--secret', source, '--env-file', file]);
    assert.equal(written.code, 0, describeRun('coffer run --env-file', written));
    const prefix = `${uniqueName('import-back')}/`;
    const back = await coffer(['import', '--from', '.env', file, '--prefix', prefix]);
    assert.equal(back.code, 0, describeRun('coffer import', back));
    for (const [key, expected] of Object.entries(tricky)) assert.equal(await value(`${prefix}${key.toUpperCase()}`), expected, key);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
