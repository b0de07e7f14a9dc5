// The deployment shape: three Coffer nodes on one PostgreSQL database behind HAProxy with the
// example config, driven by the AWS SDK. One node is SIGKILLed mid-load: every acknowledged
// write stays readable through the survivors, and clients see only retryable errors.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig, otherNodeDataDir, PROJECT_ROOT, requiredInCi, startServer, type TestServer } from '../support/coffer-server.js';
import { throwawayDatabase } from '../support/postgres-database.js';
import { freePort } from '../support/private-postgres.js';

const LABEL = 'three nodes behind HAProxy: a SIGKILLed node loses no acknowledged write';
const CONFIG = join(PROJECT_ROOT, 'examples/haproxy/coffer.cfg');
const WRITERS = 8;
const READERS = 8;
const BEFORE_KILL_MS = 4000;
const AFTER_KILL_MS = 4000;

// Debian installs it in /usr/sbin, which a user's PATH may not hold.
const HAPROXY = existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy';
const haproxyMissing = spawnSync(HAPROXY, ['-v']).error !== undefined;
if (haproxyMissing) {
  if (requiredInCi()) test(LABEL, () => assert.fail('haproxy is not installed (required when CI=true)'));
  else test(LABEL, { skip: 'haproxy is not installed' }, () => undefined);
}
const database = haproxyMissing ? undefined : await throwawayDatabase(`${LABEL}: a PostgreSQL server to run them on`);

const servers: TestServer[] = [];
let haproxy: ChildProcess | undefined;
after(async () => {
  if (haproxy && haproxy.exitCode === null) {
    const exited = new Promise((r) => haproxy!.once('exit', r));
    haproxy.kill('SIGKILL');
    await exited;
  }
  for (const server of servers) if (server.process.exitCode === null && server.process.signalCode === null) await server.stop();
  for (const server of servers) rmSync(dirname(server.dataDir), { recursive: true, force: true });
  await database?.drop();
});

/** Node 1 on the database, then the others, each with its own data dir holding node 1's root key and credentials. */
async function nodes(url: string, count: number): Promise<TestServer[]> {
  const first = await startServer({ args: ['--storage', url] });
  servers.push(first);
  for (let i = 1; i < count; i++) {
    servers.push(await startServer({ dataDir: otherNodeDataDir(first), args: ['--storage', url] }));
  }
  return servers;
}

/** HAProxy with the example config, its addresses from the environment; resolves once /health answers through it. */
async function startHaproxy(nodes: TestServer[]): Promise<string> {
  const listen = `127.0.0.1:${await freePort()}`;
  const env: Record<string, string> = { ...process.env, COFFER_LISTEN: listen } as Record<string, string>;
  nodes.forEach((node, i) => (env[`COFFER_NODE${i + 1}`] = new URL(node.url).host));
  let stderr = '';
  haproxy = spawn(HAPROXY, ['-db', '-f', CONFIG], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  haproxy.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const url = `http://${listen}`;
  for (let waited = 0; ; waited += 100) {
    if (haproxy.exitCode !== null) assert.fail(`haproxy exited with ${haproxy.exitCode}:\n${stderr}`);
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) return url;
    if (waited > 15_000) assert.fail(`haproxy did not answer /health:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An error by kind: its HTTP status (or network error code) and name. */
function errorKind(error: unknown): string {
  const e = error as Error & { $metadata?: { httpStatusCode?: number }; code?: string };
  return `${e.$metadata?.httpStatusCode ?? e.code ?? 'no status'} ${e.name}`;
}

function count(counts: Map<string, number>, kind: string): void {
  counts.set(kind, (counts.get(kind) ?? 0) + 1);
}

/** What every attempt (the SDK retries up to 5 times) got back, other than success. */
class Attempts {
  total = 0;
  failures = new Map<string, number>();
  /** A client whose every attempt, retried or not, is counted here. */
  client(config: ReturnType<typeof clientConfig>): SecretsManagerClient {
    const client = new SecretsManagerClient({ ...config, maxAttempts: 5 });
    // The deserialize step runs below the retry middleware, once per attempt.
    client.middlewareStack.add(
      (next) => async (args) => {
        this.total++;
        try {
          return await next(args);
        } catch (error) {
          count(this.failures, errorKind(error));
          throw error;
        }
      },
      { step: 'deserialize', name: 'countAttempts' },
    );
    return client;
  }
}

/** A failed attempt a client may retry: the node died under it or could not serve (502/503/504, a broken connection). */
function retryable(kind: string): boolean {
  return /^(502|503|504) /.test(kind) || /^(ECONNRESET|EPIPE|ECONNREFUSED|no status) /.test(kind);
}

if (database) {
  test(LABEL, { timeout: 180_000 }, async () => {
    const cluster = await nodes(database.url(), 3);
    const url = await startHaproxy(cluster);
    const attempts = new Attempts();
    const config = { ...clientConfig(cluster[0]!), endpoint: url };
    const clients = Array.from({ length: WRITERS + READERS }, () => attempts.client(config));
    try {
      const arns: string[] = [];
      for (let w = 0; w < WRITERS; w++) arns.push((await clients[w]!.send(new CreateSecretCommand({ Name: `cluster/writer-${w}`, SecretString: `w${w}-0` }))).ARN!);
      // Per writer: the highest value number sent and the highest acknowledged.
      const sent = arns.map(() => 0);
      const acknowledged = arns.map(() => 0);
      const clientErrors = new Map<string, number>();
      const wrongReads: string[] = [];
      let writes = 0;
      let reads = 0;
      let killedAt = 0;
      const firstAckAfterKill = arns.map(() => 0);
      let stop = false;

      const writer = async (w: number) => {
        while (!stop) {
          const n = ++sent[w]!;
          const startedAt = Date.now();
          try {
            await clients[w]!.send(new PutSecretValueCommand({ SecretId: arns[w], SecretString: `w${w}-${n}` }));
            acknowledged[w] = Math.max(acknowledged[w]!, n);
            writes++;
            if (killedAt && startedAt > killedAt && !firstAckAfterKill[w]) firstAckAfterKill[w] = Date.now();
          } catch (error) {
            count(clientErrors, errorKind(error));
          }
        }
      };
      const reader = async (r: number) => {
        for (let i = 0; !stop; i++) {
          const w = (r + i) % WRITERS;
          const floor = acknowledged[w]!;
          try {
            const value = (await clients[WRITERS + r]!.send(new GetSecretValueCommand({ SecretId: arns[w] }))).SecretString!;
            reads++;
            // Read-your-writes through any node: at least what was acknowledged before the read began, never unsent.
            const m = /^w(\d+)-(\d+)$/.exec(value);
            if (!m || Number(m[1]) !== w || Number(m[2]) < floor || Number(m[2]) > sent[w]!) wrongReads.push(`writer ${w}: read ${value}, acknowledged ${floor}, sent ${sent[w]}`);
          } catch (error) {
            count(clientErrors, errorKind(error));
          }
        }
      };

      const load = [...arns.map((_, w) => writer(w)), ...Array.from({ length: READERS }, (_, r) => reader(r))];
      await new Promise((r) => setTimeout(r, BEFORE_KILL_MS));
      const writesBeforeKill = writes;
      killedAt = Date.now();
      await cluster[1]!.kill();
      await new Promise((r) => setTimeout(r, AFTER_KILL_MS));
      stop = true;
      await Promise.all(load);

      // Every acknowledged write is readable from the survivors: each secret's current value is its last acknowledged one or later.
      for (let w = 0; w < WRITERS; w++) {
        const value = (await clients[w]!.send(new GetSecretValueCommand({ SecretId: arns[w] }))).SecretString!;
        const n = Number(/^w\d+-(\d+)$/.exec(value)?.[1]);
        assert.ok(n >= acknowledged[w]! && n <= sent[w]!, `writer ${w}: current value ${value}, last acknowledged ${acknowledged[w]}, last sent ${sent[w]}`);
      }
      const failover = Math.max(...firstAckAfterKill.map((t) => (t ? t - killedAt : Infinity)));
      const failures = Object.fromEntries(attempts.failures);
      console.log(
        `cluster: ${writes} writes (${writesBeforeKill} before the kill), ${reads} reads, ${attempts.total} attempts; ` +
          `failed attempts ${JSON.stringify(failures)}; errors reaching clients ${JSON.stringify(Object.fromEntries(clientErrors))}; ` +
          `every writer acknowledged a write begun after the kill within ${failover} ms`,
      );
      assert.deepEqual(wrongReads, []);
      assert.deepEqual([...attempts.failures.keys()].filter((kind) => !retryable(kind)), [], `non-retryable failures: ${JSON.stringify(failures)}`);
      assert.deepEqual(Object.fromEntries(clientErrors), {}, 'an error survived five attempts');
      assert.ok(writesBeforeKill > 0 && writes > writesBeforeKill, 'writes went on after the kill');
      assert.ok(Number.isFinite(failover), 'every writer wrote again after the kill');
    } finally {
      for (const client of clients) client.destroy();
    }
  });
}
