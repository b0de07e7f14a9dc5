#!/usr/bin/env node
// Runs every compiled *.test.js under dist/test with node's own test runner, then lists what
// was skipped and why. (Node 20's --test takes no globs, so the files are listed here.)
//
// COFFER_TEST_CONCURRENCY: test files run at once (default: 2, or the cores when more).
// COFFER_TEST_TIMEOUT_MS: the most one test may take before it is cancelled (its after hooks
// still stop its servers), so that no test can hang the run.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return find(path);
    return name.endsWith('.test.js') ? [path] : [];
  });
}

const filter = process.argv[2];
const files = find('dist/test').filter((f) => !filter || f.includes(filter)).sort();
// Given no file, node --test would run every test file it finds on its own.
if (!files.length) {
  console.error(`no compiled test file under dist/test${filter ? ` has '${filter}' in its path` : ''}: build first (npm run build)`);
  process.exit(1);
}
// The slowest files first (by their time in earlier runs; new ones count as slow): a long file
// started last would run on alone at the end while the other slots stand idle.
const TIMES_FILE = '.cache/test-times.json';
const times = existsSync(TIMES_FILE) ? JSON.parse(readFileSync(TIMES_FILE, 'utf8')) : {};
files.sort((a, b) => (times[b] ?? Infinity) - (times[a] ?? Infinity) || a.localeCompare(b));
const concurrency = Number(process.env.COFFER_TEST_CONCURRENCY ?? Math.max(2, availableParallelism()));
const timeoutMs = Number(process.env.COFFER_TEST_TIMEOUT_MS ?? 600_000);
const started = Date.now();
const result = spawnSync(
  process.execPath,
  [
    '--test',
    `--test-concurrency=${concurrency}`,
    `--test-timeout=${timeoutMs}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=./scripts/skip-summary-reporter.js',
    '--test-reporter-destination=stdout',
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, COFFER_TEST_TIMES_FILE: TIMES_FILE } },
);
console.error(`${files.length} test files in ${((Date.now() - started) / 1000).toFixed(0)} s (${concurrency} at a time)`);
process.exit(result.status ?? 1);
