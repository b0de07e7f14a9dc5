/**
 * What the per-request change read costs on a PostgreSQL node: cached GetSecretValue calls at
 * c=32 through the AWS SDK, with the server's CPU time per request (from /proc: stable on a busy
 * machine) and PostgreSQL transactions per request (pg_stat_database) while they run.
 *
 * Environment: BENCH_PG_URL (a PostgreSQL server to make a throwaway database on,
 * postgres://postgres@127.0.0.1:5432/postgres), BENCH_REQUESTS (4800).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { processCpuMs as cpuMs, startCofferProcess } from './server-process.js';
import { forEachConcurrent, sdkClient } from './bench-util.js';

const CONCURRENCY = 32;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 4800);
const adminUrl = new URL(process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const database = `coffer_change_read_${process.pid}`;

const admin = new pg.Client({ connectionString: adminUrl.href });
await admin.connect();
await admin.query(`CREATE DATABASE ${database}`);
const tmp = mkdtempSync(join(tmpdir(), 'coffer-change-read-'));
const storageUrl = new URL(adminUrl.href);
storageUrl.pathname = `/${database}`;
const server = await startCofferProcess({ dataDir: join(tmp, 'data'), logFile: join(tmp, 'server.log'), extraArgs: ['--storage', storageUrl.href] });
try {
  const sm = sdkClient(server);
  for (let i = 0; i < CONCURRENCY; i++) await sm.send(new CreateSecretCommand({ Name: `read/${i}`, SecretString: 'x'.repeat(1024) }));
  const read = (count: number) => forEachConcurrent(0, count, CONCURRENCY, async (i) => void (await sm.send(new GetSecretValueCommand({ SecretId: `read/${i % CONCURRENCY}` }))));
  const transactions = async () =>
    Number((await admin.query('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1', [database])).rows[0].n);
  await read(CONCURRENCY * 20);
  await admin.query('SELECT pg_stat_clear_snapshot()');
  const [cpu0, tx0, t0] = [cpuMs(server.pid), await transactions(), performance.now()];
  await read(REQUESTS);
  const seconds = (performance.now() - t0) / 1000;
  // The statistics collector reports within a second.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await admin.query('SELECT pg_stat_clear_snapshot()');
  const [cpu1, tx1] = [cpuMs(server.pid), await transactions()];
  console.log(
    `GetSecretValue c=${CONCURRENCY}, ${REQUESTS} cached reads on one PostgreSQL node: ${Math.round(REQUESTS / seconds)} req/s, ` +
      `server CPU ${Math.round(((cpu1 - cpu0) * 1000) / REQUESTS)} us/request, PostgreSQL transactions ${((tx1 - tx0) / REQUESTS).toFixed(3)}/request`,
  );
  sm.destroy();
} finally {
  await server.stop();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
  rmSync(tmp, { recursive: true, force: true });
}
