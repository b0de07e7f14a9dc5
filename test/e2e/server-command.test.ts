import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig, PROJECT_ROOT, startServer, tempDir } from '../support/coffer-server.js';
import { httpsHealth, testCertificate } from '../support/tls-certificate.js';

const mode = (path: string) => statSync(path).mode & 0o777;

test('first start creates a private data directory, root key and credentials, and prints no secret key', async () => {
  const server = await startServer();
  try {
    assert.equal(mode(server.dataDir), 0o700);
    assert.equal(mode(join(server.dataDir, 'root-key')), 0o600);
    assert.equal(mode(join(server.dataDir, 'credentials')), 0o600);
    assert.equal(mode(join(server.dataDir, 'coffer.db')), 0o600);
    assert.equal(mode(join(server.dataDir, 'audit.db')), 0o600);
    const credentials = readFileSync(join(server.dataDir, 'credentials'), 'utf8');
    assert.match(credentials, /^\[coffer\]\naws_access_key_id = AKIA[A-Z2-7]{16}\naws_secret_access_key = \S{40}\nregion = us-east-1\n$/);
    assert.ok(server.stderr().includes(server.url));
    assert.ok(server.stderr().includes(join(server.dataDir, 'credentials')));
    assert.ok(!server.stderr().includes(server.secretAccessKey));
    const health = await fetch(`${server.url}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    assert.deepEqual(await (await fetch(`${server.url}/health/ready`)).json(), { status: 'ok' });
    assert.deepEqual(await (await fetch(`${server.url}/health/live`)).json(), { status: 'live' });
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('a restart keeps the data, the root key and the credentials', async () => {
  const first = await startServer();
  const client = new SecretsManagerClient(clientConfig(first));
  await client.send(new CreateSecretCommand({ Name: 'kept', SecretString: 'still here' }));
  client.destroy();
  assert.equal(await first.stop(), 0);
  const second = await startServer({ dataDir: first.dataDir });
  try {
    assert.equal(second.accessKeyId, first.accessKeyId);
    const again = new SecretsManagerClient(clientConfig(second));
    const value = await again.send(new GetSecretValueCommand({ SecretId: 'kept' }));
    assert.equal(value.SecretString, 'still here');
    again.destroy();
  } finally {
    await second.stop();
  }
});

test('account id and region come from the options and the environment', async () => {
  const server = await startServer({ args: ['--account-id', '123456789012'], env: { COFFER_REGION: 'eu-west-1' } });
  try {
    assert.match(readFileSync(join(server.dataDir, 'credentials'), 'utf8'), /region = eu-west-1/);
    const client = new SecretsManagerClient(clientConfig(server, 'ap-south-1'));
    const created = await client.send(new CreateSecretCommand({ Name: 'arn-check', SecretString: 'x' }));
    assert.match(created.ARN!, /^arn:aws:secretsmanager:ap-south-1:123456789012:secret:arn-check-[A-Za-z0-9]{6}$/);
    client.destroy();
  } finally {
    await server.stop();
  }
});

test('a passphrase derives the root key; a wrong passphrase is refused at start', async () => {
  const server = await startServer({ env: { COFFER_ROOT_PASSPHRASE: 'correct horse battery staple' } });
  const client = new SecretsManagerClient(clientConfig(server));
  await client.send(new CreateSecretCommand({ Name: 'pp', SecretString: 'behind a passphrase' }));
  client.destroy();
  await server.stop();
  assert.ok(statSync(join(server.dataDir, 'root-key.salt')).isFile());
  assert.throws(() => statSync(join(server.dataDir, 'root-key')));
  await assert.rejects(
    startServer({ dataDir: server.dataDir, env: { COFFER_ROOT_PASSPHRASE: 'wrong' } }),
    /root key does not open this database/,
  );
  const again = await startServer({ dataDir: server.dataDir, env: { COFFER_ROOT_PASSPHRASE: 'correct horse battery staple' } });
  const reader = new SecretsManagerClient(clientConfig(again));
  assert.equal((await reader.send(new GetSecretValueCommand({ SecretId: 'pp' }))).SecretString, 'behind a passphrase');
  reader.destroy();
  await again.stop();
});

test('plain HTTP on a non-loopback address needs an explicit flag and warns', async () => {
  const refused = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/coffer.js'), 'server', '--host', '0.0.0.0', '--port', '0', '--data-dir', join(tempDir(), 'd')], {
    encoding: 'utf8',
    timeout: 15_000,
  });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /refusing to serve plain HTTP on 0\.0\.0\.0/);
  const allowed = await startServer({ args: ['--host', '0.0.0.0', '--allow-insecure-http'] });
  try {
    assert.ok((await fetch(`${allowed.url.replace('0.0.0.0', '127.0.0.1')}/health`)).ok);
  } finally {
    await allowed.stop();
  }
  assert.match(readFileSync(allowed.logFile, 'utf8'), /plain HTTP on a non-loopback address/);
});

test('--tls-cert and --tls-key serve HTTPS', async (t) => {
  const tls = testCertificate(t, tempDir());
  if (!tls) return;
  const server = await startServer({ args: ['--tls-cert', tls.cert, '--tls-key', tls.key] });
  try {
    assert.match(server.url, /^https:\/\//);
    assert.deepEqual(JSON.parse((await httpsHealth(server.url, tls.cert)).body), { status: 'ok' });
  } finally {
    await server.stop();
  }
});

test('--dev runs in memory, warns loudly and accepts any access key', async () => {
  const server = await startServer({ args: ['--dev'] });
  try {
    assert.match(server.stderr(), /DEVELOPMENT MODE/);
    const client = new SecretsManagerClient({ ...clientConfig(server), credentials: { accessKeyId: 'anything', secretAccessKey: 'whatever' } });
    await client.send(new CreateSecretCommand({ Name: 'dev', SecretString: 'ephemeral' }));
    assert.equal((await client.send(new GetSecretValueCommand({ SecretId: 'dev' }))).SecretString, 'ephemeral');
    client.destroy();
    assert.throws(() => statSync(join(server.dataDir, 'coffer.db')));
  } finally {
    await server.stop();
  }
});

test('SIGTERM lets in-flight requests finish and exits cleanly', async () => {
  const server = await startServer();
  const client = new SecretsManagerClient(clientConfig(server));
  await client.send(new CreateSecretCommand({ Name: 'graceful', SecretString: 'x' }));
  const inFlight = Array.from({ length: 20 }, () => client.send(new GetSecretValueCommand({ SecretId: 'graceful' })));
  await new Promise((r) => setTimeout(r, 5));
  const exit = server.stop();
  const results = await Promise.allSettled(inFlight);
  assert.equal(await exit, 0);
  // Requests already accepted were answered; none saw a server error.
  for (const r of results) if (r.status === 'rejected') assert.doesNotMatch(String(r.reason), /Internal/);
  assert.ok(results.some((r) => r.status === 'fulfilled'));
  client.destroy();
  const log = readFileSync(server.logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const get = log.find((l) => l.operation === 'secretsmanager.GetSecretValue');
  assert.ok(get.requestId && get.principal && get.status === 200 && typeof get.durationMs === 'number');
});

test('--workers 2 serves one data set from two processes and stops them all on SIGTERM', async () => {
  const server = await startServer({ args: ['--workers', '2', '--sweep-interval', '1'] });
  const workers = () =>
    execFileSync('pgrep', ['-P', String(server.process.pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  try {
    assert.equal(workers().length, 2);
    // Separate clients (separate connections) land on either worker; each sees every write.
    const clients = Array.from({ length: 6 }, () => new SecretsManagerClient(clientConfig(server)));
    await Promise.all(clients.map((c, i) => c.send(new CreateSecretCommand({ Name: `workers/${i}`, SecretString: `value ${i}` }))));
    for (const [i, c] of clients.entries()) {
      for (let j = 0; j < clients.length; j++) {
        assert.equal((await c.send(new GetSecretValueCommand({ SecretId: `workers/${j}` }))).SecretString, `value ${j}`, `client ${i}`);
      }
    }
    // A write through one worker is seen at once through every other (their read caches notice it).
    for (let round = 1; round <= 3; round++) {
      await clients[round]!.send(new PutSecretValueCommand({ SecretId: 'workers/0', SecretString: `round ${round}` }));
      for (const c of clients) assert.equal((await c.send(new GetSecretValueCommand({ SecretId: 'workers/0' }))).SecretString, `round ${round}`);
    }
    for (const c of clients) c.destroy();
  } finally {
    assert.equal(await server.stop(), 0);
  }
  const log = readFileSync(server.logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(log.filter((l) => l.operation === 'secretsmanager.GetSecretValue').length, 36 + 18);
  // Both processes chained their records onto one log, which verifies whole.
  const verified = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/coffer.js'), 'audit', 'verify', '--data-dir', server.dataDir], { encoding: 'utf8' });
  assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  const count = Number(/^ok: (\d+) entries/m.exec(verified.stdout)?.[1]);
  assert.ok(count >= 6 + 36 + 3 + 18, verified.stdout);
});

test('--workers with --dev is refused: in-memory data lives in one process', () => {
  const refused = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/coffer.js'), 'server', '--dev', '--workers', '2', '--port', '0'], {
    encoding: 'utf8',
    timeout: 15_000,
  });
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /--dev keeps its data in one process/);
});
