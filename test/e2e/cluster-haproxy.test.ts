// The deployment shape: three Coffer nodes on one PostgreSQL database behind HAProxy with the
// example config, driven by the AWS SDK, on a PostgreSQL cluster of the tests' own. A node
// SIGKILLed mid-load, or PostgreSQL restarted under it: every acknowledged write stays readable,
// clients see only retryable errors, the nodes recover by themselves. The node running
// background work SIGKILLed: a rotation due meanwhile runs once, on another node.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { clientConfig, requiredInCi, startNodes, type TestServer } from '../support/coffer-server.js';
import { haproxyInstalled, startHaproxy, type Haproxy } from '../support/haproxy.js';
import { privatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { rawClientFor } from '../support/raw-client.js';

const LABEL = 'three nodes on PostgreSQL behind HAProxy';
const WRITERS = 8;
const READERS = 8;
const BEFORE_KILL_MS = 4000;
const AFTER_KILL_MS = 4000;
/** The background lease's time to live on these nodes (seconds): a takeover is waited for no longer than it takes. */
const LEASE_TTL_S = 3;

const haproxyMissing = !haproxyInstalled();
const cluster = haproxyMissing ? 'haproxy is not installed' : await privatePostgres();
if (typeof cluster === 'string') {
  if (requiredInCi()) test(LABEL, () => assert.fail(`${cluster} (required when CI=true)`));
  else test(LABEL, { skip: cluster }, () => undefined);
}

const servers: TestServer[] = [];
const proxies: Haproxy[] = [];
after(async () => {
  for (const proxy of proxies) await proxy.stop();
  for (const server of servers) if (server.process.exitCode === null && server.process.signalCode === null) await server.stop();
  for (const server of servers) rmSync(dirname(server.dataDir), { recursive: true, force: true });
  if (typeof cluster === 'object') cluster.destroy();
});

interface Deployment {
  nodes: TestServer[];
  /** HAProxy's address. */
  url: string;
  storage: string;
}

let deployments = 0;
/** Three nodes on a database of their own in the cluster, and HAProxy in front of them. */
async function deployment(pgCluster: PrivatePostgres, args: string[] = []): Promise<Deployment> {
  const name = `coffer_${++deployments}`;
  pgCluster.createDatabase(name);
  const storage = pgCluster.url(name);
  const nodes = await startNodes(storage, 3, servers, args);
  const proxy = await startHaproxy(nodes);
  proxies.push(proxy);
  return { nodes, url: proxy.url, storage };
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
    // Below the retry middleware (finalizeRequest, high priority): once per attempt, with the error each attempt met.
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
      { step: 'finalizeRequest', priority: 'low', name: 'countAttempts' },
    );
    return client;
  }
}

/** A failed attempt a client may retry: the node died under it or could not serve (502/503/504, a broken connection). */
function retryable(kind: string): boolean {
  return /^(502|503|504) /.test(kind) || /^(ECONNRESET|EPIPE|ECONNREFUSED|no status) /.test(kind);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writers putting numbered values, readers checking each read against what was acknowledged and sent. */
class Load {
  readonly sent: number[];
  readonly acknowledged: number[];
  readonly clientErrors = new Map<string, number>();
  readonly wrongReads: string[] = [];
  writes = 0;
  reads = 0;
  /** When `mark` was called, and per writer when a write begun after it was first acknowledged. */
  markedAt = 0;
  readonly firstAckAfterMark: number[];
  private stopped = false;
  private readonly loops: Promise<void>[];

  constructor(
    private readonly clients: SecretsManagerClient[],
    readonly arns: string[],
  ) {
    this.sent = arns.map(() => 0);
    this.acknowledged = arns.map(() => 0);
    this.firstAckAfterMark = arns.map(() => 0);
    this.loops = [...arns.map((_, w) => this.writer(w)), ...Array.from({ length: READERS }, (_, r) => this.reader(r))];
  }

  /** One secret per writer, created through `client`. */
  static async start(clients: SecretsManagerClient[], prefix: string): Promise<Load> {
    const arns: string[] = [];
    for (let w = 0; w < WRITERS; w++) arns.push((await clients[w]!.send(new CreateSecretCommand({ Name: `${prefix}/writer-${w}`, SecretString: `w${w}-0` }))).ARN!);
    return new Load(clients, arns);
  }

  mark(): void {
    this.markedAt = Date.now();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  /** The longest a writer waited after `mark` for a write begun after it to be acknowledged (Infinity if one never was). */
  recoveredWithinMs(): number {
    return Math.max(...this.firstAckAfterMark.map((t) => (t ? t - this.markedAt : Infinity)));
  }

  /** Goes on for at least `ms`, then until every writer has had a write begun after `mark` acknowledged (a busy machine is slow, not wrong). */
  async runOn(ms: number, atMostMs = 60_000): Promise<void> {
    await sleep(ms);
    for (const deadline = Date.now() + atMostMs; this.firstAckAfterMark.some((t) => !t) && Date.now() < deadline; ) await sleep(100);
  }

  /** Every acknowledged write is readable: each secret's current value is its last acknowledged one or later (never one not sent). */
  async assertAcknowledgedReadable(): Promise<void> {
    assert.deepEqual(this.wrongReads, []);
    for (let w = 0; w < WRITERS; w++) {
      const value = (await this.clients[w]!.send(new GetSecretValueCommand({ SecretId: this.arns[w] }))).SecretString!;
      const n = Number(/^w\d+-(\d+)$/.exec(value)?.[1]);
      assert.ok(n >= this.acknowledged[w]! && n <= this.sent[w]!, `writer ${w}: current value ${value}, last acknowledged ${this.acknowledged[w]}, last sent ${this.sent[w]}`);
    }
  }

  private async writer(w: number): Promise<void> {
    while (!this.stopped) {
      const n = ++this.sent[w]!;
      const startedAt = Date.now();
      try {
        await this.clients[w]!.send(new PutSecretValueCommand({ SecretId: this.arns[w], SecretString: `w${w}-${n}` }));
        this.acknowledged[w] = Math.max(this.acknowledged[w]!, n);
        this.writes++;
        if (this.markedAt && startedAt > this.markedAt && !this.firstAckAfterMark[w]) this.firstAckAfterMark[w] = Date.now();
      } catch (error) {
        count(this.clientErrors, errorKind(error));
        // A client backs off before it tries again.
        await sleep(100);
      }
    }
  }

  private async reader(r: number): Promise<void> {
    for (let i = 0; !this.stopped; i++) {
      const w = (r + i) % WRITERS;
      const floor = this.acknowledged[w]!;
      try {
        const value = (await this.clients[WRITERS + r]!.send(new GetSecretValueCommand({ SecretId: this.arns[w] }))).SecretString!;
        this.reads++;
        // Read-your-writes through any node: at least what was acknowledged before the read began, never unsent.
        const m = /^w(\d+)-(\d+)$/.exec(value);
        if (!m || Number(m[1]) !== w || Number(m[2]) < floor || Number(m[2]) > this.sent[w]!) this.wrongReads.push(`writer ${w}: read ${value}, acknowledged ${floor}, sent ${this.sent[w]}`);
      } catch (error) {
        count(this.clientErrors, errorKind(error));
        await sleep(100);
      }
    }
  }
}

async function healthy(node: TestServer): Promise<boolean> {
  return fetch(`${node.url}/health`, { signal: AbortSignal.timeout(5000) }).then(
    (r) => r.status === 200,
    () => false,
  );
}

if (typeof cluster === 'object') {
  test('three nodes behind HAProxy: a SIGKILLed node loses no acknowledged write; clients see only retryable errors', { timeout: 180_000 }, async () => {
    const { nodes, url } = await deployment(cluster);
    const attempts = new Attempts();
    const config = { ...clientConfig(nodes[0]!), endpoint: url };
    const clients = Array.from({ length: WRITERS + READERS }, () => attempts.client(config));
    try {
      const load = await Load.start(clients, 'cluster');
      await sleep(BEFORE_KILL_MS);
      const writesBeforeKill = load.writes;
      load.mark();
      await nodes[1]!.kill();
      await load.runOn(AFTER_KILL_MS);
      await load.stop();
      await load.assertAcknowledgedReadable();
      const failures = Object.fromEntries(attempts.failures);
      console.log(
        `cluster: ${load.writes} writes (${writesBeforeKill} before the kill), ${load.reads} reads, ${attempts.total} attempts; ` +
          `failed attempts ${JSON.stringify(failures)}; errors reaching clients ${JSON.stringify(Object.fromEntries(load.clientErrors))}; ` +
          `every writer acknowledged a write begun after the kill within ${load.recoveredWithinMs()} ms`,
      );
      assert.deepEqual([...attempts.failures.keys()].filter((kind) => !retryable(kind)), [], `non-retryable failures: ${JSON.stringify(failures)}`);
      assert.deepEqual(Object.fromEntries(load.clientErrors), {}, 'an error survived five attempts');
      assert.ok(writesBeforeKill > 0 && load.writes > writesBeforeKill, 'writes went on after the kill');
      assert.ok(Number.isFinite(load.recoveredWithinMs()), 'every writer wrote again after the kill');
    } finally {
      for (const client of clients) client.destroy();
    }
  });

  test('PostgreSQL restarted under load: the nodes recover by themselves, no acknowledged write is lost, clients see only retryable errors', { timeout: 180_000 }, async () => {
    const { nodes, url } = await deployment(cluster);
    const attempts = new Attempts();
    const config = { ...clientConfig(nodes[0]!), endpoint: url };
    const clients = Array.from({ length: WRITERS + READERS }, () => attempts.client(config));
    try {
      const load = await Load.start(clients, 'restart');
      await sleep(3000);
      const writesBefore = load.writes;
      cluster.stop();
      await sleep(2000);
      cluster.start();
      load.mark();
      // Every node serves again by itself (no restart): /health 200 on each, then writes through HAProxy.
      const deadline = Date.now() + 30_000;
      while (!(await Promise.all(nodes.map(healthy))).every(Boolean)) {
        assert.ok(Date.now() < deadline, 'a node did not report healthy within 30 s of PostgreSQL starting again');
        await sleep(100);
      }
      const healthyAfterMs = Date.now() - load.markedAt;
      await load.runOn(3000);
      await load.stop();
      await load.assertAcknowledgedReadable();
      const failures = Object.fromEntries(attempts.failures);
      console.log(
        `restart: ${load.writes} writes (${writesBefore} before the stop), ${load.reads} reads, ${attempts.total} attempts; ` +
          `failed attempts ${JSON.stringify(failures)}; errors reaching clients ${JSON.stringify(Object.fromEntries(load.clientErrors))}; ` +
          `every node healthy ${healthyAfterMs} ms after PostgreSQL started, every writer acknowledged within ${load.recoveredWithinMs()} ms`,
      );
      const notRetryable = (kinds: Iterable<string>) => [...kinds].filter((kind) => !retryable(kind));
      assert.deepEqual(notRetryable(attempts.failures.keys()), [], `non-retryable failures: ${JSON.stringify(failures)}`);
      assert.deepEqual(notRetryable(load.clientErrors.keys()), [], 'an error reaching a client was not retryable');
      assert.ok(Number.isFinite(load.recoveredWithinMs()), 'every writer wrote again after PostgreSQL was back');
    } finally {
      for (const client of clients) client.destroy();
    }
  });

  test('the node running background work SIGKILLed: a rotation due meanwhile runs once, on another node', { timeout: 180_000 }, async () => {
    const { nodes, url, storage } = await deployment(cluster, ['--runner-lease-ttl', String(LEASE_TTL_S)]);
    const sm = new SecretsManagerClient({ ...clientConfig(nodes[0]!), endpoint: url, maxAttempts: 5 });
    const db = new pg.Client({ connectionString: storage });
    await db.connect();
    // A rotation function as a webhook: what a Lambda does, through HAProxy; every call noted.
    const calls: { step: string; token: string }[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const hook: Server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', async () => {
        const event = JSON.parse(body) as { Step: string; SecretId: string; ClientRequestToken: string };
        calls.push({ step: event.Step, token: event.ClientRequestToken });
        mostAtOnce = Math.max(mostAtOnce, ++running);
        try {
          await rotationStep(sm, event);
          res.end('{}');
        } catch (error) {
          res.writeHead(500).end(String(error));
        } finally {
          running--;
        }
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    try {
      const hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
      const created = await rawClientFor(nodes[0]!).call('CofferRotationFunctions.CreateRotationFunction', { FunctionName: 'cluster-hook', Kind: 'webhook', Url: hookUrl, TimeoutSeconds: 30 }, { sign: { service: 'coffer' } });
      assert.equal(created.status, 200, created.text);
      const { ARN: arn, VersionId: first } = await sm.send(new CreateSecretCommand({ Name: 'cluster/rotated', SecretString: 'first' }));
      await sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: (created.json as { FunctionArn: string }).FunctionArn, RotationRules: { ScheduleExpression: 'rate(4 hours)' }, RotateImmediately: false }));

      const holderPid = async () => Number(((await db.query<{ holder: string }>("SELECT holder FROM leases WHERE name = 'background'")).rows[0]?.holder ?? '').split(':')[2]);
      const pid = await holderPid();
      const holder = nodes.find((n) => n.process.pid === pid);
      assert.ok(holder, `the background lease is held by pid ${pid}, not by a node`);
      // RotateSecret without RotateImmediately tests the function with a testSecret step (as AWS does): only what follows counts.
      for (const deadline = Date.now() + 30_000; calls.length === 0 || running > 0; await sleep(50)) assert.ok(Date.now() < deadline, 'no testSecret call');
      assert.deepEqual(calls.map((c) => c.step), ['testSecret']);
      calls.length = 0;
      await holder.kill();
      const killedAt = Date.now();
      // Due now, as if its four hours had passed while the runner died.
      await db.query("UPDATE secrets SET next_rotation_at = 0 WHERE name = 'cluster/rotated'");

      let rotated: string | undefined;
      for (const deadline = Date.now() + 60_000; !rotated; await sleep(200)) {
        assert.ok(Date.now() < deadline, `the due rotation did not run within 60 s; webhook calls: ${JSON.stringify(calls)}`);
        const stages = (await sm.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {};
        const current = Object.keys(stages).find((v) => stages[v]!.includes('AWSCURRENT'));
        const pending = Object.values(stages).some((s) => s.includes('AWSPENDING'));
        if (current !== first && !pending) rotated = current;
      }
      const rotatedInMs = Date.now() - killedAt;
      // Nothing more comes: no second runner starts the same rotation.
      await sleep(LEASE_TTL_S * 1000);
      const newHolder = await holderPid();
      console.log(`runner takeover: rotation done ${rotatedInMs} ms after the runner was killed (lease TTL ${LEASE_TTL_S} s); now run by pid ${newHolder}; webhook calls ${JSON.stringify(calls.map((c) => c.step))}`);
      assert.deepEqual(calls, ['createSecret', 'setSecret', 'testSecret', 'finishSecret'].map((step) => ({ step, token: rotated })));
      assert.equal(mostAtOnce, 1, 'two steps ran at once');
      assert.ok(newHolder !== pid && nodes.some((n) => n.process.pid === newHolder), `the lease is now held by pid ${newHolder}`);
      assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString, `rotated ${rotated}`);
    } finally {
      sm.destroy();
      await db.end();
      await new Promise((r) => hook.close(r));
    }
  });
}

/** One step of a rotation, as an AWS rotation Lambda does it: a new value as AWSPENDING, then AWSCURRENT moved to it. */
async function rotationStep(sm: SecretsManagerClient, event: { Step: string; SecretId: string; ClientRequestToken: string }): Promise<void> {
  const { SecretId, ClientRequestToken: token } = event;
  if (event.Step === 'createSecret') {
    await sm.send(new PutSecretValueCommand({ SecretId, ClientRequestToken: token, SecretString: `rotated ${token}`, VersionStages: ['AWSPENDING'] }));
  } else if (event.Step === 'finishSecret') {
    const stages = (await sm.send(new DescribeSecretCommand({ SecretId }))).VersionIdsToStages ?? {};
    const current = Object.keys(stages).find((v) => stages[v]!.includes('AWSCURRENT'));
    if (current !== token) await sm.send(new UpdateSecretVersionStageCommand({ SecretId, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: current }));
  }
}
