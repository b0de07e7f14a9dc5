// The everyday command line against a live server, as a person uses it after the quick start:
// `coffer configure` once, then `coffer secrets|keys|users ...` from any directory with no
// environment variables; tables for people, JSON for scripts; values only from `get`.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BIN, startServer, type TestServer } from '../support/coffer-server.js';
import { cofferCli, type CofferCli } from '../support/coffer-cli.js';
import { cleanEnv, describeRun, requireTool, run } from '../support/child-process.js';
import { uniqueName } from '../support/sdk-errors.js';

let server: TestServer;
let cli: CofferCli;

before(async () => {
  server = await startServer();
  cli = cofferCli();
});
after(async () => {
  assert.equal(await server.stop(), 0);
});

test('configure writes a profile with the endpoint next to the key pair, and checks it with the server', async () => {
  const out = await cli.ok(['configure', '--data-dir', server.dataDir, '--endpoint-url', server.url]);
  assert.match(out, /profile "coffer" written/);
  assert.match(out, /checked: the server knows this key \(arn:aws:iam::000000000000:root\)/);
  const config = readFileSync(cli.configFile, 'utf8');
  assert.match(config, /^\[profile coffer\]$/m);
  assert.match(config, new RegExp(`^endpoint_url = ${server.url}$`, 'm'));
  assert.match(config, /^region = us-east-1$/m);
  assert.match(readFileSync(cli.credentialsFile, 'utf8'), new RegExp(`^aws_access_key_id = ${server.accessKeyId}$`, 'm'));
  // Written again, the section is updated in place, not repeated.
  await cli.ok(['login', '--data-dir', server.dataDir, '--endpoint-url', server.url]);
  assert.equal(readFileSync(cli.configFile, 'utf8').match(/\[profile coffer\]/g)!.length, 1);
});

test('secrets: create, list, describe, get, put, versions, delete and restore from any directory with no variables', async () => {
  const name = uniqueName('app/db');
  const value = JSON.stringify({ username: 'app', password: 's3cret-value' });
  assert.match(await cli.ok(['secrets', 'create', name, '--value', value, '--description', 'the app database']), new RegExp(`created ${name} \\(version`));

  const list = await cli.ok(['secrets', 'list']);
  assert.match(list, /^NAME\s+LAST CHANGED\s+ROTATION\s+DESCRIPTION$/m);
  assert.match(list, new RegExp(`^${name}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ\\s+off\\s+the app database$`, 'm'));
  assert.ok(!list.includes('s3cret-value'), 'list never shows a value');
  const listed = JSON.parse(await cli.ok(['secrets', 'list', '--output', 'json'])) as { Name: string }[];
  assert.ok(listed.some((s) => s.Name === name));

  const described = await cli.ok(['secrets', 'describe', name]);
  assert.match(described, new RegExp(`^Name:\\s+${name}$`, 'm'));
  assert.match(described, /^ARN:\s+arn:aws:secretsmanager:us-east-1:000000000000:secret:/m);
  assert.match(described, /^Versions:\s+\S+ \(AWSCURRENT\)$/m);
  assert.ok(!described.includes('s3cret-value'), 'describe never shows a value');

  // Not a terminal: the value is printed only when asked for.
  await cli.fails(['secrets', 'get', name], /standard output is not a terminal .* add --reveal/);
  assert.equal(await cli.ok(['secrets', 'get', name, '--reveal']), `${value}\n`);
  assert.equal(await cli.ok(['secrets', 'get', name, '--reveal', '--field', 'password']), 's3cret-value\n');

  assert.match(await cli.ok(['secrets', 'put', name], { input: 'second value' }), /stored version \S+ of .* \(AWSCURRENT\)/);
  assert.equal(await cli.ok(['secrets', 'get', name, '--reveal']), 'second value\n');
  const versions = await cli.ok(['secrets', 'versions', name]);
  assert.match(versions, /^VERSION ID\s+STAGES\s+CREATED/m);
  assert.match(versions, /AWSPREVIOUS/);
  assert.match(versions, /AWSCURRENT/);

  assert.match(await cli.ok(['secrets', 'delete', name, '--recovery-days', '7']), /will be deleted on .*coffer secrets restore/);
  await cli.fails(['secrets', 'get', name, '--reveal'], /InvalidRequestException: .*marked for deletion/);
  assert.match(await cli.ok(['secrets', 'restore', name]), new RegExp(`restored ${name}`));
  assert.match(await cli.ok(['secrets', 'delete', name, '--force']), /for good/);
  await cli.fails(['secrets', 'describe', name], /ResourceNotFoundException/);
});

test('get prints the value to a terminal without --reveal', async (t) => {
  if (!(await requireTool(t, 'script (util-linux)', 'script', ['--version']))) return;
  const name = uniqueName('tty');
  await cli.ok(['secrets', 'create', name, '--value', 'shown-on-a-terminal']);
  const env = cleanEnv({ AWS_CONFIG_FILE: cli.configFile, AWS_SHARED_CREDENTIALS_FILE: cli.credentialsFile });
  // script(1) runs the command on a pseudo-terminal of its own.
  const result = await run('script', ['-qec', `${process.execPath} ${BIN} secrets get ${name}`, '/dev/null'], env);
  assert.equal(result.code, 0, describeRun('script … coffer secrets get', result));
  assert.match(result.stdout, /shown-on-a-terminal/);
});

test('keys list shows the keys with their aliases', async () => {
  await cli.ok(['secrets', 'create', uniqueName('k'), '--value', 'v']);
  const table = await cli.ok(['keys', 'list']);
  assert.match(table, /^KEY ID\s+ALIASES\s+STATE\s+MANAGED BY\s+CREATED\s+DESCRIPTION$/m);
  assert.match(table, /alias\/aws\/secretsmanager\s+Enabled\s+aws/);
  const keys = JSON.parse(await cli.ok(['keys', 'list', '-o', 'json'])) as { KeyId: string; Aliases: string[] }[];
  assert.ok(keys.some((k) => k.Aliases.includes('alias/aws/secretsmanager')));
});

test('users: a least-privilege user reads the one secret it is allowed, and nothing else', async () => {
  const user = uniqueName('app').replace(/\//g, '-');
  const secret = uniqueName('svc/db');
  const other = uniqueName('svc/other');
  await cli.ok(['secrets', 'create', secret, '--value', 'for-the-app']);
  await cli.ok(['secrets', 'create', other, '--value', 'not-for-the-app']);
  assert.match(await cli.ok(['users', 'create', user]), /may do nothing yet/);
  assert.match(await cli.ok(['users', 'allow', user, '--read', secret]), new RegExp(`${user} may read ${secret}`));
  await cli.fails(['users', 'create-key', user], /not a terminal.*--save-profile/);
  assert.match(await cli.ok(['users', 'create-key', user, '--save-profile', user]), new RegExp(`saved as profile "${user}"`));

  assert.equal(await cli.ok(['secrets', 'get', secret, '--reveal', '--profile', user]), 'for-the-app\n');
  await cli.fails(['secrets', 'get', other, '--reveal', '--profile', user], /AccessDeniedException: User: arn:aws:iam::000000000000:user\/.* is not authorized to perform: secretsmanager:GetSecretValue/);
  await cli.fails(['secrets', 'put', secret, '--value', 'x', '--profile', user], /AccessDeniedException/);

  assert.match(await cli.ok(['users', 'list']), new RegExp(`^${user}\\s+\\d{4}-`, 'm'));
  const shown = await cli.ok(['users', 'show', user]);
  assert.match(shown, /^Inline policies:\s+coffer-secrets$/m);
  assert.match(shown, /^Access keys:\s+AKIA\w+ \(active\)$/m);
  const json = JSON.parse(await cli.ok(['users', 'show', user, '--output', 'json'])) as { AccessKeys: unknown[] };
  assert.equal(json.AccessKeys.length, 1);
  assert.match(await cli.ok(['users', 'delete', user, '--force']), new RegExp(`deleted user ${user}`));
  await cli.fails(['users', 'show', user], /NoSuchEntity/);
});

test('rotate names a rotation function by name and sets the schedule', async (t) => {
  const webhook = await answeringWebhook(t);
  const fn = uniqueName('hook').replace(/\//g, '-');
  await cli.ok(['rotation-functions', 'create', '--name', fn, '--kind', 'webhook', '--url', webhook]);
  const name = uniqueName('rotated');
  await cli.ok(['secrets', 'create', name, '--value', 'v1']);
  assert.match(await cli.ok(['secrets', 'rotate', name, '--function', fn, '--every', '30', '--no-now']), new RegExp(`rotation of ${name} is set up`));
  const described = await cli.ok(['secrets', 'describe', name]);
  assert.match(described, /^Rotation:\s+every 30 days$/m);
  assert.match(described, new RegExp(`^Rotation function:\\s+arn:aws:lambda:us-east-1:000000000000:function:${fn}$`, 'm'));
});

test('completion scripts complete commands, subcommands and options', async (t) => {
  const bash = await cli.ok(['completion', 'bash']);
  const complete = async (shell: string, script: string, words: string) => {
    const result = await run(shell, ['-c', script], cleanEnv({ SCRIPT: bash, WORDS: words }));
    assert.equal(result.code, 0, describeRun(shell, result));
    return result.stdout.trim().split(/\s+/).sort();
  };
  const inBash = (words: string) =>
    complete('bash', 'eval "$SCRIPT"; read -ra COMP_WORDS <<< "$WORDS"; [[ "$WORDS" == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _coffer; echo "${COMPREPLY[@]}"', words);
  assert.ok((await inBash('coffer se')).join() === 'secrets,server');
  assert.deepEqual(await inBash('coffer secrets g'), ['get']);
  assert.ok((await inBash('coffer secrets get --')).includes('--reveal'));
  assert.ok((await inBash('coffer secrets get --')).includes('--profile'), 'the group\'s options too');
  assert.ok((await inBash('coffer login --')).includes('--data-dir'), 'aliases complete as their command');

  if (!(await requireTool(t, 'zsh', 'zsh', ['--version']))) return;
  const zsh = await cli.ok(['completion', 'zsh']);
  // Outside a completion widget: compadd and compdef stand in to show what would be offered.
  const inZsh = async (words: string) => {
    const script = 'compdef() {}; compadd() { shift; print -l -- "$@"; }; _files() {}; eval "$SCRIPT"; words=(${=WORDS}); [[ "$WORDS" == *" " ]] && words+=(""); CURRENT=${#words}; _coffer';
    const result = await run('zsh', ['-c', script], cleanEnv({ SCRIPT: zsh, WORDS: words }));
    assert.equal(result.code, 0, describeRun('zsh', result));
    return result.stdout.trim().split(/\s+/);
  };
  assert.ok((await inZsh('coffer ')).includes('secrets'));
  assert.ok((await inZsh('coffer users ')).includes('create-key'));
  assert.ok((await inZsh('coffer secrets delete ')).includes('--force'));
});

/** A webhook that answers every rotation step 200, for the test's duration. */
async function answeringWebhook(t: TestContext): Promise<string> {
  const hook: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('{}'));
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => hook.close(() => resolve())));
  return `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`;
}
