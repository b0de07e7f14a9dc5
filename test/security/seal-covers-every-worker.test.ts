/**
 * One seal seals the whole server. With `--workers 2` every request is served
 * by whichever worker takes the connection; after `coffer operator seal`
 * through one of them, no worker serves a secret and every status says sealed.
 * The seal outlives a worker the server restarts after a crash; an unsigned
 * Unseal without material reopens no worker; a passphrase server given its
 * passphrase once comes back on every worker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { startServer, type TestServer } from '../support/coffer-server.js';
import { rawClientFor } from '../support/raw-client.js';
import { operatorOk } from '../support/operator-cli.js';

const PASSPHRASE = 'correct horse battery staple';
// Each raw request opens its own connection, so the cluster deals them out to both workers in turn.
const CALLS = 20;

async function withWorkers(env: Record<string, string>, body: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startServer({ args: ['--workers', '2'], env });
  try {
    await body(server);
  } finally {
    await server.stop();
    rmSync(dirname(server.dataDir), { recursive: true, force: true });
  }
}

async function createSecret(server: TestServer, value: string): Promise<string> {
  const name = `sealed-${randomUUID().slice(0, 8)}`;
  const created = await rawClientFor(server).call('CreateSecret', { Name: name, SecretString: value, ClientRequestToken: randomUUID() });
  assert.equal(created.status, 200, created.text);
  return name;
}

async function assertSealedEverywhere(server: TestServer, name: string): Promise<void> {
  for (let i = 0; i < CALLS; i++) {
    const read = await rawClientFor(server).call('GetSecretValue', { SecretId: name });
    assert.equal(read.status, 503, `read ${i + 1} of ${CALLS} after the seal: ${read.text}`);
    assert.equal(read.json?.__type, 'ServiceUnavailableException', read.text);
    assert.match(read.json?.message ?? '', /sealed/);
    const status = await rawClientFor(server).call('CofferOperator.GetSealStatus', {}, { sign: false });
    assert.equal(status.json?.sealed, true, `status ${i + 1} of ${CALLS} after the seal: ${status.text}`);
  }
}

async function assertServedEverywhere(server: TestServer, name: string, value: string): Promise<void> {
  for (let i = 0; i < CALLS; i++) {
    const read = await rawClientFor(server).call('GetSecretValue', { SecretId: name });
    assert.equal(read.json?.SecretString, value, `read ${i + 1} of ${CALLS}: ${read.text}`);
    const status = await rawClientFor(server).call('CofferOperator.GetSealStatus', {}, { sign: false });
    assert.equal(status.json?.sealed, false, `status ${i + 1} of ${CALLS}: ${status.text}`);
  }
}

test('--workers 2: one seal refuses every read on every worker; an unsigned Unseal {} reopens none; a restart of the server unseals', async () => {
  await withWorkers({}, async (server) => {
    const name = await createSecret(server, 'kept under seal');
    await assertServedEverywhere(server, name, 'kept under seal');
    assert.equal(JSON.parse(await operatorOk(server, ['seal'])).sealed, true);
    await assertSealedEverywhere(server, name);

    for (let i = 0; i < 4; i++) {
      const res = await rawClientFor(server).call('CofferOperator.Unseal', {}, { sign: false });
      assert.equal(res.status, 400, res.text);
    }
    await assertSealedEverywhere(server, name);

    // A file-provider server is unsealed by starting it again, as an auto-unseal server is.
    assert.equal(await server.stop(), 0);
    const restarted = await startServer({ dataDir: server.dataDir, args: ['--workers', '2'] });
    try {
      await assertServedEverywhere(restarted, name, 'kept under seal');
    } finally {
      await restarted.stop();
    }
  });
});

test('--workers 2: a worker that replaces a crashed one starts sealed while the server is sealed', async () => {
  await withWorkers({}, async (server) => {
    const name = await createSecret(server, 'value');
    await operatorOk(server, ['seal']);
    // SIGKILL one worker: the primary starts another in its place.
    const workers = await childPids(server.process.pid!);
    assert.equal(workers.length, 2, `two workers: ${workers}`);
    process.kill(workers[0]!, 'SIGKILL');
    const deadline = Date.now() + 30_000;
    for (;;) {
      const now = await childPids(server.process.pid!);
      if (now.length === 2 && !now.includes(workers[0]!)) break;
      assert.ok(Date.now() < deadline, 'the crashed worker was replaced');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Give the new worker time to start listening.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await assertSealedEverywhere(server, name);
  });
});

test('--workers 2: the passphrase given once unseals every worker', async () => {
  await withWorkers({ COFFER_ROOT_PASSPHRASE: PASSPHRASE }, async (server) => {
    const name = await createSecret(server, 'value');
    await operatorOk(server, ['seal']);
    await assertSealedEverywhere(server, name);
    const wrong = await rawClientFor(server).call('CofferOperator.Unseal', { Passphrase: 'not the passphrase' }, { sign: false });
    assert.equal(wrong.status, 400, wrong.text);
    await assertSealedEverywhere(server, name);

    assert.equal(JSON.parse(await operatorOk(server, ['unseal'], { COFFER_ROOT_PASSPHRASE: PASSPHRASE })).sealed, false);
    await assertServedEverywhere(server, name, 'value');
  });
});

/** The processes whose parent is `pid` (the cluster's workers), from /proc. */
async function childPids(pid: number): Promise<number[]> {
  const { readFileSync, readdirSync } = await import('node:fs');
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4, after the parenthesised command name.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // The process ended meanwhile.
    }
  }
  return children;
}
