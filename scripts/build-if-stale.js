#!/usr/bin/env node
// `npm start` compiles only when a source is newer than the last build, and says so: a start
// after `npm ci` (which builds) or after an unchanged checkout begins at once.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const BUILT = 'dist/src/cli/main.js';

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const built = existsSync(BUILT) ? statSync(BUILT).mtimeMs : -1;
const sources = Math.max(...['src', 'test', 'bench', 'tsconfig.json', 'package.json'].filter(existsSync).map(newest));
if (sources > built) {
  console.error(built < 0 ? 'coffer: compiling TypeScript into dist/ (first start)…' : 'coffer: sources changed since the last build: compiling TypeScript into dist/…');
  const result = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
