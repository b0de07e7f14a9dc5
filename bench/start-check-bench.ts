/**
 * What the data directory check at start costs with many secrets: a data
 * directory seeded in-process with BENCH_CHECK_COUNT secrets (100,000), then
 * SQLite's integrity check on coffer.db alone (what the start runs) beside
 * its quick check (pages only, no index against its table), and the whole
 * `coffer server` start, from spawn to listening (median of BENCH_CHECK_STARTS, 3).
 *
 *   npm run build --silent && node dist/bench/start-check-bench.js
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { machineInfo, table } from './bench-util.js';
import { seedInProcess } from './seed-in-process.js';
import { round, startCofferProcess } from './server-process.js';

const COUNT = Number(process.env.BENCH_CHECK_COUNT ?? 100_000);
const STARTS = Number(process.env.BENCH_CHECK_STARTS ?? 3);
const log = (message: string) => console.error(`[start-check] ${message}`);

function timed(work: () => unknown): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'coffer-start-check-'));
  const dataDir = join(tmp, 'data');
  const logFile = join(tmp, 'server.log');
  try {
    await (await startCofferProcess({ dataDir, logFile })).stop();
    const seedStart = performance.now();
    await seedInProcess(dataDir, 0, COUNT, { name: (i) => `check-secret-${String(i).padStart(6, '0')}`, valueLength: 1024, log });
    log(`${COUNT} secrets seeded in ${round((performance.now() - seedStart) / 1000, 1)} s`);
    const path = join(dataDir, 'coffer.db');
    const db = new Database(path, { readonly: true });
    const integrity = timed(() => db.pragma('integrity_check(5)'));
    const quick = timed(() => db.pragma('quick_check(5)'));
    db.close();
    const starts: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const start = performance.now();
      const coffer = await startCofferProcess({ dataDir, logFile });
      starts.push(performance.now() - start);
      await coffer.stop();
    }
    const rows = [
      ['coffer.db size (MiB)', round(statSync(path).size / 1024 / 1024, 1)],
      ['PRAGMA integrity_check (ms)', round(integrity, 0)],
      ['PRAGMA quick_check (ms)', round(quick, 0)],
      [`server start to listening, median of ${STARTS} (ms)`, round(median(starts), 0)],
    ];
    console.log(`\n${COUNT} secrets of 1024 characters; ${JSON.stringify(machineInfo())}`);
    console.log(table(['measure', 'value'], rows));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
