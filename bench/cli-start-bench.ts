// How long `coffer` takes to start: node alone, `coffer --version`, `--help`, and an everyday
// command's help (which loads that command's module). Median and spread of BENCH_CLI_RUNS runs each.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 20);
const BIN = join(PROJECT_ROOT, 'bin/coffer.js');

const cases: [string, string[]][] = [
  ['node -e 0', ['-e', '0']],
  ['coffer --version', [BIN, '--version']],
  ['coffer --help', [BIN, '--help']],
  ['coffer secrets --help', [BIN, 'secrets', '--help']],
  ['coffer server --help', [BIN, 'server', '--help']],
];

console.log(`${RUNS} runs each, milliseconds (median, fastest, slowest)`);
for (const [label, args] of cases) {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { stdio: 'ignore' });
    if (result.status !== 0) throw new Error(`${label} exited with ${result.status}`);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(`${label.padEnd(24)} ${times[RUNS >> 1]!.toFixed(0).padStart(5)}  ${times[0]!.toFixed(0).padStart(5)}  ${times[RUNS - 1]!.toFixed(0).padStart(5)}`);
}
