// One process runs background work (rotation scheduling, purges, key rotation
// and destruction, session cleanup, audit digests), chosen by a lease in the
// database: when its holder is gone, another process takes over promptly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig, startServer, type TestServer } from '../support/coffer-server.js';

interface LogLine {
  level: number;
  msg: string;
  holder?: string;
  previous?: string;
  token?: number;
}

const logLines = (server: TestServer): LogLine[] =>
  readFileSync(server.logFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const pidOf = (holder: string) => Number(holder.split(':')[2]);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('a lease left with a far-future expiry by a process that is gone is taken over at start, with a warning', async () => {
  const first = await startServer();
  assert.equal(await first.stop(), 0);
  // As a clock stepped back days and a restart leave it: the holder's process is gone, its lease runs on.
  const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim();
  const gone = `${hostname()}::${dead}::previous-run`;
  const db = new Database(join(first.dataDir, 'coffer.db'));
  db.prepare(`INSERT INTO leases (name, holder, expires_at, token) VALUES ('background', ?, ?, 7)
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at, token = excluded.token`).run(gone, Date.now() + 5 * 86_400_000);
  db.close();

  const server = await startServer({ dataDir: first.dataDir });
  try {
    const warning = await waitFor('the takeover', () => logLines(server).find((l) => /took over background work/.test(l.msg)), 15_000);
    assert.equal(warning.level, 40);
    assert.match(warning.msg, /its runner is a process that is gone/);
    assert.equal(warning.previous, gone);
    assert.equal(warning.token, 8);
    const runs = logLines(server).find((l) => l.msg === 'this process runs background work');
    assert.equal(pidOf(runs!.holder!), server.process.pid);
  } finally {
    assert.equal(await server.stop(), 0);
    rmSync(dirname(first.dataDir), { recursive: true, force: true });
  }
});

test('--workers 2: SIGKILL of the worker running background work hands it to another within the lease time to live', async (t) => {
  const server = await startServer({ args: ['--workers', '2', '--runner-lease-ttl', '3', '--sweep-interval', '1', '--audit-digest-interval', '1'] });
  const client = new SecretsManagerClient(clientConfig(server));
  try {
    const runners = () => logLines(server).filter((l) => /runs background work|took over background work/.test(l.msg));
    const first = await waitFor('a runner', () => logLines(server).find((l) => l.msg === 'this process runs background work'));
    // Both workers are up: the other looked and left the lease to its live holder.
    await client.send(new CreateSecretCommand({ Name: 'runner/before', SecretString: 'v' }));
    assert.equal(runners().length, 1, 'one runner at a time');
    const killed = pidOf(first.holder!);

    process.kill(killed, 'SIGKILL');
    const killedAt = performance.now();
    const takeover = await waitFor('the takeover', () => logLines(server).find((l) => /took over background work/.test(l.msg)));
    const tookMs = performance.now() - killedAt;
    assert.equal(takeover.previous, first.holder);
    assert.match(takeover.msg, /its runner is a process that is gone/);
    assert.equal(takeover.token, first.token! + 1);
    const next = runners().at(-1)!;
    assert.ok(/runs background work/.test(next.msg) && next.holder, JSON.stringify(next));
    assert.notEqual(pidOf(next.holder!), killed);
    assert.ok(alive(pidOf(next.holder!)), 'the new runner is a live worker');
    t.diagnostic(`taken over ${Math.round(tookMs)} ms after the kill`);
    assert.ok(tookMs < 3_000 + 10_000, `took ${tookMs} ms`);

    // The new runner signs audit digests: one comes to cover a request made after the kill.
    await client.send(new CreateSecretCommand({ Name: 'runner/after', SecretString: 'v' }));
    const audit = new Database(join(server.dataDir, 'audit.db'), { readonly: true });
    try {
      const head = audit.prepare('SELECT max(sequence) FROM audit_entries').pluck().get() as number;
      await waitFor('a digest over the new records', () =>
        ((audit.prepare('SELECT max(sequence) FROM audit_digests').pluck().get() as number | null) ?? 0) >= head ? true : undefined,
      );
    } finally {
      audit.close();
    }
  } finally {
    client.destroy();
    await server.stop();
    rmSync(dirname(server.dataDir), { recursive: true, force: true });
  }
});
