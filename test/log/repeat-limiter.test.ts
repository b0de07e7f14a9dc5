// A warning or error that every request meets is logged once per window, with
// the count of those left out on the next line; info lines are never held back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../src/log/logger.js';
import { REPEAT_WINDOW_MS } from '../../src/log/repeat-limiter.js';
import { tempDir } from '../support/coffer-server.js';

async function linesOf(file: string, logger: ReturnType<typeof createLogger>): Promise<Record<string, unknown>[]> {
  await new Promise<void>((resolve) => logger.flush(() => resolve()));
  for (let tries = 0; tries < 50 && !existsSync(file); tries += 1) await sleep(20);
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('120 identical errors in a window are one line; the next window says how many were left out', async () => {
  let now = 1_000_000;
  const file = join(tempDir(), 'coffer.log');
  const logger = createLogger('info', file, () => now);
  for (let i = 0; i < 120; i += 1) logger.error({ err: new Error('ENOSPC') }, 'audit log write failed');
  logger.warn('another warning');
  for (let i = 0; i < 5; i += 1) logger.info({ i }, 'request');
  now += REPEAT_WINDOW_MS;
  logger.error({ err: new Error('ENOSPC') }, 'audit log write failed');
  const lines = await linesOf(file, logger);
  const failures = lines.filter((l) => l.msg === 'audit log write failed');
  assert.equal(failures.length, 2, JSON.stringify(lines));
  assert.equal(failures[0]!.repeated, undefined);
  assert.equal(failures[1]!.repeated, 119);
  assert.equal(lines.filter((l) => l.msg === 'another warning').length, 1);
  assert.equal(lines.filter((l) => l.msg === 'request').length, 5, 'info lines are all written');
});
