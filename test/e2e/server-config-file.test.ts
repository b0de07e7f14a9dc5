// `coffer server --config coffer.toml`: every flag has a key; flags beat environment variables,
// which beat the file, which beats the defaults; unknown keys are errors; --print-config shows
// the effective settings with secrets masked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { BIN, clientConfig, startServer, tempDir } from '../support/coffer-server.js';
import { cleanEnv, describeRun, run } from '../support/child-process.js';

function configFile(text: string): string {
  const path = join(tempDir(), 'coffer.toml');
  writeFileSync(path, text);
  return path;
}

async function server(args: string[], env: Record<string, string> = {}) {
  const result = await run(process.execPath, [BIN, 'server', ...args], cleanEnv(env));
  return { ...result, describe: () => describeRun(`coffer server ${args.join(' ')}`, result) };
}

test('a server starts with the settings of its configuration file', async () => {
  const dir = tempDir();
  const path = configFile(`# Coffer's settings\naccount-id = "123456789012"\naudit-file = ["${join(dir, 'audit.jsonl')}"]\n`);
  const started = await startServer({ dataDir: join(dir, 'data'), args: ['--config', path] });
  const client = new SecretsManagerClient(clientConfig(started));
  try {
    const created = await client.send(new CreateSecretCommand({ Name: 'from-the-file', SecretString: 'v' }));
    assert.match(created.ARN!, /^arn:aws:secretsmanager:us-east-1:123456789012:secret:from-the-file-/);
    assert.ok(existsSync(join(dir, 'audit.jsonl')), 'the audit file named in the file receives records');
  } finally {
    client.destroy();
    assert.equal(await started.stop(), 0);
  }
});

test('flags beat environment variables, which beat the file, which beats the defaults', async () => {
  const path = configFile('region = "eu-west-1"\naccount-id = "123456789012"\nlog-level = "debug"\nsweep-interval = 30\n');
  const out = await server(['--config', path, '--print-config', '--region', 'us-west-2'], { COFFER_LOG_LEVEL: 'warn', COFFER_SWEEP_INTERVAL: '' });
  assert.equal(out.code, 0, out.describe());
  assert.match(out.stdout, /^region = "us-west-2" +# flag$/m);
  assert.match(out.stdout, /^log-level = "warn" +# environment \(COFFER_LOG_LEVEL\)$/m);
  assert.match(out.stdout, /^account-id = "123456789012" +# file$/m);
  assert.match(out.stdout, /^sweep-interval = 30 +# file$/m, 'an empty variable is no setting');
  assert.match(out.stdout, /^port = 4566 +# default$/m);
  // COFFER_CONFIG names the file when --config does not.
  const viaEnv = await server(['--print-config'], { COFFER_CONFIG: path });
  assert.match(viaEnv.stdout, /^account-id = "123456789012" +# file$/m, viaEnv.describe());
});

test('every flag of coffer server is a key of the file (but accept-data-loss, which is never left on)', async () => {
  const help = await server(['--help']);
  const flags = [...help.stdout.matchAll(/^ {2}--([a-z-]+)/gm)].map((m) => m[1]!).filter((flag) => !['config', 'print-config', 'help'].includes(flag));
  assert.ok(flags.length > 35, help.describe());
  const printed = (await server(['--print-config'])).stdout;
  for (const flag of flags) assert.match(printed, new RegExp(`^(# )?${flag}( =| is not set)`, 'm'), `--${flag} has a key`);
  const refused = await server(['--config', configFile('accept-data-loss = true\n'), '--print-config']);
  assert.equal(refused.code, 2, refused.describe());
  assert.match(refused.stderr, /accept-data-loss is given only as the flag --accept-data-loss, for one start/);
});

test('an unknown key, a value of the wrong type or invalid TOML is refused, naming it', async () => {
  const cases: [string, RegExp][] = [
    ['data_dir = "/tmp/x"\n', /unknown key 'data_dir', did you mean 'data-dir'\?/],
    ['colour = "blue"\n', /unknown key 'colour' \(the keys are the flags of coffer server without their dashes/],
    ['port = "4566"\n', /port must be a number, not "4566"/],
    ['dev = "yes"\n', /dev must be true or false/],
    ['[server]\nport = 1\n', /unknown key 'server'/],
    ['port = \n', /is not valid TOML/],
  ];
  for (const [text, message] of cases) {
    const out = await server(['--config', configFile(text), '--print-config']);
    assert.equal(out.code, 2, out.describe());
    assert.match(out.stderr, message, out.describe());
  }
  const missing = await server(['--config', join(tempDir(), 'absent.toml')]);
  assert.equal(missing.code, 2, missing.describe());
  assert.match(missing.stderr, /cannot read the configuration file .*absent\.toml/);
});

test('--print-config masks secrets: the database password and the root key passphrase', async () => {
  const path = configFile('storage = "postgres://coffer:hunter2-secret@db.example.com:5432/coffer"\n');
  const out = await server(['--config', path, '--print-config'], { COFFER_ROOT_PASSPHRASE: 'correct horse battery' });
  assert.equal(out.code, 0, out.describe());
  assert.match(out.stdout, /^storage = "postgres:\/\/coffer:\*\*\*\*@db\.example\.com:5432\/coffer" +# file$/m);
  assert.match(out.stdout, /root key passphrase is set/);
  assert.ok(!out.stdout.includes('hunter2') && !out.stdout.includes('horse'), out.stdout);
  assert.match(out.stdout, /^root-key-provider = "passphrase" +# default$/m);
});
