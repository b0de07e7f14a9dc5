/**
 * What a cluster costs: GetSecretValue (c=32) and PutSecretValue (c=8) throughput and p99 of
 * one node on SQLite, one node on PostgreSQL, and three nodes on one PostgreSQL database behind
 * HAProxy, with the CPU time per request of the Coffer processes, of PostgreSQL (all the
 * server's processes) and of HAProxy, from /proc: a cost that stays stable on a busy machine;
 * and the transactions, rollbacks and rows written per request in the deployment's database.
 *
 *   npm run bench:cluster
 *
 * Environment: BENCH_DURATION (s per run, 10), BENCH_SECRETS (1000), BENCH_PG_URL (a PostgreSQL
 * server to make a throwaway database on, postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_HAPROXY (/usr/sbin/haproxy), BENCH_ONLY (some of sqlite,pg1,pg3), BENCH_NODE_ARGS (extra
 * node flags for every Coffer process, e.g. '--cpu-prof --cpu-prof-dir /tmp/prof'), BENCH_DIRECT=1
 * (the three nodes' load goes to the first node, not through HAProxy: what the cluster costs
 * apart from sharing the load). Full runs write bench/results/cluster-latest.json.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { forEachConcurrent, machineInfo, randomValue, sdkClient, sleep, table } from './bench-util.js';
import { PROJECT_ROOT, processCpu, processCpuMs, round, startCofferProcess, type CofferProcess } from './server-process.js';
import { RequestSigner, rawHttpRequest } from '../src/http/sigv4-signer.js';
import { assertClean, runWrk, writeLuaScript, writeRequestPool, wrkAvailable, wrkVersion, type WrkResult } from './wrk-runner.js';

const env = process.env;
const DURATION_S = Number(env.BENCH_DURATION ?? 10);
const SECRETS = Number(env.BENCH_SECRETS ?? 1000);
const GET_POOL = 5000;
const VALUE_LENGTH = 1024;
const WARMUP_S = 3;
const HAPROXY = env.BENCH_HAPROXY ?? '/usr/sbin/haproxy';
const ONLY = env.BENCH_ONLY?.split(',');
const NODE_ARGS = env.BENCH_NODE_ARGS?.split(' ').filter(Boolean);
const DIRECT = env.BENCH_DIRECT === '1';
const adminUrl = new URL(env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const log = (msg: string) => console.error(`[cluster-bench] ${msg}`);
const secretName = (i: number) => `bench-secret-${String(i).padStart(5, '0')}`;

/** Where the load goes and which Coffer processes serve it. */
interface Deployment {
  name: string;
  url: string;
  hostHeader: string;
  nodes: CofferProcess[];
  haproxyPid?: number;
  /** The deployment's database, when on PostgreSQL. */
  database?: string;
  stop(): Promise<void>;
}

interface Row {
  deployment: string;
  scenario: string;
  result: WrkResult;
  cofferUsPerRequest: number;
  postgresUsPerRequest: number;
  haproxyUsPerRequest: number;
  /** Of the bench's database (pg_stat_database): transactions, of them rolled back (a retried unit among them), and rows written per request. */
  postgresTransactionsPerRequest?: number;
  postgresRollbacksPerRequest?: number;
  postgresRowsWrittenPerRequest?: number;
}

/** What PostgreSQL tells about the bench: the CPU of its processes and the work done in one database. */
interface PostgresProbe {
  cpuMs(): number;
  /** Transactions, rollbacks and rows inserted, updated or deleted in the deployment's database so far. */
  activity(): Promise<{ transactions: number; rollbacks: number; rowsWritten: number } | undefined>;
}

/**
 * CPU ms of the PostgreSQL server the bench runs on: its postmaster, every process it started
 * (backends, WAL writer, checkpointer, ...) and, through the postmaster's children's time, the
 * backends that have ended. Other clients of the same server count too.
 */
function postgresCpuMs(postmaster: number): number {
  const postmasterCpu = processCpu(postmaster);
  let total = postmasterCpu.ownMs + postmasterCpu.reapedChildrenMs;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cpu = processCpu(Number(entry));
      if (cpu.ppid === postmaster) total += cpu.ownMs;
    } catch {
      // The process ended between listing and reading.
    }
  }
  return total;
}

const databaseOf = (storage: string | undefined) => (storage ? new URL(storage).pathname.slice(1) : undefined);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** A minimal HAProxy in front of the nodes: round robin, each node health-checked on GET /health. */
function haproxyConfig(port: number, nodes: CofferProcess[]): string {
  return [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    'frontend coffer',
    `  bind 127.0.0.1:${port}`,
    '  default_backend nodes',
    'backend nodes',
    '  balance roundrobin',
    '  option httpchk GET /health',
    ...nodes.map((n, i) => `  server node${i} ${n.hostHeader} check inter 2s`),
    '',
  ].join('\n');
}

async function startHaproxy(dir: string, nodes: CofferProcess[]): Promise<{ url: string; hostHeader: string; pid: number; stop(): Promise<void> }> {
  const port = await freePort();
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(cfg, haproxyConfig(port, nodes));
  const child = spawn(HAPROXY, ['-db', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  // Ready once every node has passed its first health check and a request through it answers.
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${stderr}`);
    const ok = await fetch(`${url}/health`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (i > 100) throw new Error(`haproxy did not answer on ${url}: ${stderr}`);
    await sleep(100);
  }
  return {
    url,
    hostHeader: `127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function singleNode(name: string, dir: string, storage?: string): Promise<Deployment> {
  const node = await startCofferProcess({ dataDir: join(dir, 'data'), logFile: join(dir, 'server.log'), nodeArgs: NODE_ARGS, extraArgs: storage ? ['--storage', storage] : [] });
  return { name, url: node.url, hostHeader: node.hostHeader, nodes: [node], database: databaseOf(storage), stop: async () => void (await node.stop()) };
}

/** Node A on the database; nodes B and C each with their own data dir holding A's root key and credentials; HAProxy in front. */
async function threeNodes(dir: string, storage: string): Promise<Deployment> {
  const nodes: CofferProcess[] = [];
  const stopNodes = async () => {
    for (const n of nodes) await n.stop();
  };
  try {
    const a = await startCofferProcess({ dataDir: join(dir, 'a'), logFile: join(dir, 'a.log'), nodeArgs: NODE_ARGS, extraArgs: ['--storage', storage] });
    nodes.push(a);
    for (const name of ['b', 'c']) {
      const dataDir = join(dir, name);
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      for (const file of readdirSync(a.dataDir)) if (/^(root-key|credentials)/.test(file)) copyFileSync(join(a.dataDir, file), join(dataDir, file));
      nodes.push(await startCofferProcess({ dataDir, logFile: join(dir, `${name}.log`), nodeArgs: NODE_ARGS, extraArgs: ['--storage', storage] }));
    }
    const haproxy = await startHaproxy(dir, nodes);
    return {
      name: '3 nodes PostgreSQL + HAProxy',
      url: DIRECT ? a.url : haproxy.url,
      hostHeader: DIRECT ? a.hostHeader : haproxy.hostHeader,
      nodes,
      haproxyPid: haproxy.pid,
      database: databaseOf(storage),
      async stop() {
        await haproxy.stop();
        await stopNodes();
      },
    };
  } catch (error) {
    await stopNodes();
    throw error;
  }
}

/** Seeds the secrets through the deployment's front, then measures GetSecretValue c=32 and PutSecretValue c=8. */
async function measure(deployment: Deployment, dir: string, lua: string, postgres: PostgresProbe): Promise<Row[]> {
  const admin = deployment.nodes[0]!;
  const client = sdkClient({ ...admin, url: deployment.url }, 32);
  await forEachConcurrent(0, SECRETS, 32, async (i) => {
    await client.send(new CreateSecretCommand({ Name: secretName(i), SecretString: randomValue(VALUE_LENGTH) }));
  });
  client.destroy();
  const signer = new RequestSigner(admin, admin.region, 'secretsmanager');
  const sign = (target: string, body: object) => rawHttpRequest(signer.sign(deployment.hostHeader, `secretsmanager.${target}`, JSON.stringify(body)));
  const getPool = () => Array.from({ length: GET_POOL }, () => sign('GetSecretValue', { SecretId: secretName(randomInt(SECRETS)) }));
  // Distinct writes (own ClientRequestToken each), more than the fastest node has been seen to take in a run.
  const putPool = () =>
    Array.from({ length: Math.max(5000, 3000 * DURATION_S) }, (_, i) =>
      sign('PutSecretValue', { SecretId: secretName(i % SECRETS), ClientRequestToken: randomUUID(), SecretString: randomValue(VALUE_LENGTH) }),
    );
  const cofferCpu = () => deployment.nodes.reduce((sum, n) => sum + processCpuMs(n.pid), 0);
  const haproxyCpu = () => (deployment.haproxyPid ? processCpuMs(deployment.haproxyPid) : 0);
  const run = async (scenario: string, connections: number, durationS: number, pool: string[]): Promise<Row> => {
    const poolFile = join(dir, 'pool.dat');
    writeRequestPool(poolFile, pool);
    const [activityBefore, before] = [await postgres.activity(), [cofferCpu(), postgres.cpuMs(), haproxyCpu()]];
    const result = await runWrk({ scenario: `${deployment.name}: ${scenario}`, url: deployment.url, luaScript: lua, poolFile, poolSize: pool.length, connections, threads: 1, durationS });
    const after = [cofferCpu(), postgres.cpuMs(), haproxyCpu()];
    assertClean(result);
    const us = (i: number) => round(((after[i]! - before[i]!) * 1000) / result.requests, 0);
    const row: Row = { deployment: deployment.name, scenario, result, cofferUsPerRequest: us(0), postgresUsPerRequest: us(1), haproxyUsPerRequest: us(2) };
    // The statistics collector reports within a second.
    await sleep(1000);
    const activityAfter = await postgres.activity();
    if (activityBefore && activityAfter) {
      row.postgresTransactionsPerRequest = round((activityAfter.transactions - activityBefore.transactions) / result.requests, 2);
      row.postgresRollbacksPerRequest = round((activityAfter.rollbacks - activityBefore.rollbacks) / result.requests, 2);
      row.postgresRowsWrittenPerRequest = round((activityAfter.rowsWritten - activityBefore.rowsWritten) / result.requests, 2);
    }
    log(`${result.scenario}: ${result.requestsPerSec} req/s, p99 ${result.p99Ms} ms; CPU us/request coffer ${us(0)}, postgres ${us(1)}, haproxy ${us(2)}`);
    return row;
  };
  // Steady state: every node has read every secret once (its cache, and each secret's
  // once-a-day LastAccessedDate write, which every node's cache then drops), then a warm-up
  // run (discarded) for JIT and connections.
  for (const node of deployment.nodes) {
    const reader = sdkClient(node, 32);
    await forEachConcurrent(0, SECRETS, 32, async (i) => void (await reader.send(new GetSecretValueCommand({ SecretId: secretName(i) }))));
    reader.destroy();
  }
  await run('warm-up', 32, WARMUP_S, getPool());
  return [await run('GetSecretValue c=32', 32, DURATION_S, getPool()), await run('PutSecretValue c=8', 8, DURATION_S, putPool())];
}

async function main(): Promise<void> {
  if (!wrkAvailable()) {
    console.error('cluster-bench: wrk is required but was not found on PATH (apt-get install -y wrk).');
    process.exit(1);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'coffer-cluster-bench-'));
  const lua = join(tmp, 'pool.lua');
  writeLuaScript(lua);
  const pgAdmin = new pg.Client({ connectionString: adminUrl.href });
  await pgAdmin.connect();
  const databases: string[] = [];
  // The backend serving this connection is a child of the postmaster.
  const backend = Number((await pgAdmin.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
  const postmaster = processCpu(backend).ppid;
  /** A throwaway database per PostgreSQL deployment, dropped at the end. */
  const database = async () => {
    const name = `coffer_bench_${randomBytes(6).toString('hex')}`;
    await pgAdmin.query(`CREATE DATABASE ${name}`);
    databases.push(name);
    const url = new URL(adminUrl.href);
    url.pathname = `/${name}`;
    return url.href;
  };
  const plans: [string, () => Promise<Deployment>][] = [
    ['sqlite', () => singleNode('1 node SQLite', join(tmp, 'sqlite'))],
    ['pg1', async () => singleNode('1 node PostgreSQL', join(tmp, 'pg1'), await database())],
    ['pg3', async () => threeNodes(join(tmp, 'pg3'), await database())],
  ];
  const rows: Row[] = [];
  let failed = false;
  try {
    for (const [dirName, start] of plans.filter(([name]) => !ONLY || ONLY.includes(name))) {
      const dir = join(tmp, dirName);
      mkdirSync(dir, { recursive: true });
      const deployment = await start();
      log(`${deployment.name}: ${deployment.nodes.length} node(s), load to ${deployment.url}`);
      try {
        const database = deployment.database;
        const probe: PostgresProbe = {
          cpuMs: () => postgresCpuMs(postmaster),
          activity: async () => {
            if (!database) return undefined;
            await pgAdmin.query('SELECT pg_stat_clear_snapshot()');
            const row = (
              await pgAdmin.query('SELECT xact_commit + xact_rollback AS t, xact_rollback AS r, tup_inserted + tup_updated + tup_deleted AS w FROM pg_stat_database WHERE datname = $1', [database])
            ).rows[0];
            return { transactions: Number(row.t), rollbacks: Number(row.r), rowsWritten: Number(row.w) };
          },
        };
        rows.push(...(await measure(deployment, dir, lua, probe)));
      } finally {
        await deployment.stop();
      }
    }
    const find = (deployment: string, scenario: string) => rows.find((r) => r.deployment === deployment && r.scenario.startsWith(scenario))?.result;
    const sqliteGet = find('1 node SQLite', 'GetSecretValue');
    const clusterGet = find('3 nodes PostgreSQL + HAProxy', 'GetSecretValue');
    const clusterPut = find('3 nodes PostgreSQL + HAProxy', 'PutSecretValue');
    const ratio = sqliteGet && clusterGet ? round(clusterGet.requestsPerSec / sqliteGet.requestsPerSec, 3) : undefined;
    console.log('');
    console.log(`wrk -t1 -d${DURATION_S}s --latency, keep-alive, pre-signed SigV4 requests; ${SECRETS} secrets of ${VALUE_LENGTH} chars; ${machineInfo().cpus} CPUs`);
    console.log(
      table(
        ['deployment', 'scenario', 'req/s', 'p99 ms', 'coffer CPU us/req', 'postgres CPU us/req', 'haproxy CPU us/req', 'pg xact/req', 'pg rollbacks/req', 'pg rows written/req'],
        rows.map((r) => [
          r.deployment,
          r.scenario,
          r.result.requestsPerSec.toFixed(0),
          r.result.p99Ms.toFixed(3),
          r.cofferUsPerRequest,
          r.postgresUsPerRequest,
          r.haproxyUsPerRequest,
          r.postgresTransactionsPerRequest ?? '',
          r.postgresRollbacksPerRequest ?? '',
          r.postgresRowsWrittenPerRequest ?? '',
        ]),
      ),
    );
    if (ratio !== undefined) console.log(`\nGetSecretValue, 3 PostgreSQL nodes / 1 SQLite node: ${ratio.toFixed(3)}`);
    if (clusterPut) console.log(`PutSecretValue on 3 PostgreSQL nodes: ${clusterPut.requestsPerSec.toFixed(0)}/s`);
    console.log(`postgres CPU: the server at ${adminUrl.host} (postmaster ${postmaster} and its children), whoever its client.`);
    // Partial or instrumented runs are for looking into a figure, not for the record.
    if (ONLY || NODE_ARGS || DIRECT) return;
    const output = {
      date: new Date().toISOString(),
      machine: machineInfo(),
      wrk: wrkVersion(),
      settings: { durationS: DURATION_S, secrets: SECRETS, valueLength: VALUE_LENGTH, getPool: GET_POOL, warmupS: WARMUP_S },
      rows: rows.map(({ result: { wrkOutput: _omit, ...result }, ...r }) => ({ ...r, result })),
      getRatioThreePostgresNodesOverSqlite: ratio,
    };
    mkdirSync(join(PROJECT_ROOT, 'bench/results'), { recursive: true });
    const outFile = join(PROJECT_ROOT, 'bench/results/cluster-latest.json');
    writeFileSync(outFile, JSON.stringify(output, null, 2) + '\n');
    console.log(`results written to ${outFile}`);
  } catch (error) {
    failed = true;
    console.error(`cluster-bench FAILED: ${(error as Error).stack ?? error}`);
  } finally {
    for (const name of databases) await pgAdmin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await pgAdmin.end();
    rmSync(tmp, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}

await main();
