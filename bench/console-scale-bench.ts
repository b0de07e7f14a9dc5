/**
 * The web console with 100,000 secrets, in Debian's Chromium driven by playwright-core: how long
 * the secrets list takes to show its first page after sign-in, the next pages, a name-prefix
 * search, a sort by name, 100 a page, and a tag or description filter that matches nothing (the
 * server's scan budget then answers an empty page with a NextToken). Each figure is from the
 * click to the table's new rows, so it includes signing in the browser, the request and rendering.
 *
 *   npm run build && node dist/bench/console-scale-bench.js
 *
 * Environment: BENCH_SCALE_COUNT (100000), BENCH_ROUNDS (10 per measure), BENCH_KEEP=1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/support/chromium.js';
import { machineInfo, summarize, table } from './bench-util.js';
import { seedInProcess } from './seed-in-process.js';
import { readCredentials, round, startCofferProcess } from './server-process.js';

const COUNT = Number(process.env.BENCH_SCALE_COUNT ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const log = (message: string) => console.error(`[console-scale] ${message}`);
const name = (i: number) => `scale-secret-${String(i).padStart(6, '0')}`;

/** The secrets table's first row and row count, once no load is under way. */
const TABLE_STATE = () => {
  const t = document.querySelector('table[aria-label="Secrets"]');
  if (t?.getAttribute('aria-busy') !== 'false') return undefined;
  const rows = t.querySelectorAll('tbody tr');
  return `${rows.length}:${rows[0]?.textContent ?? ''}`;
};

/** Milliseconds from `act` to the secrets table showing other rows (another first row, or another count), polled every 5 ms. */
async function timed(page: Page, act: () => Promise<void>): Promise<number> {
  const before = await page.evaluate(TABLE_STATE);
  const started = performance.now();
  await act();
  for (;;) {
    const now = await page.evaluate(TABLE_STATE);
    if (now !== undefined && now !== before) return performance.now() - started;
    if (performance.now() - started > 60_000) throw new Error('the secrets table did not change within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'coffer-console-scale-'));
  const dataDir = join(tmp, 'data');
  const logFile = join(tmp, 'server.log');
  let coffer = await startCofferProcess({ dataDir, logFile });
  await coffer.stop();
  log(`seeding ${COUNT} secrets in-process`);
  const seedStart = performance.now();
  await seedInProcess(dataDir, 0, COUNT, { name, valueLength: 256, log });
  log(`seeded in ${round((performance.now() - seedStart) / 1000, 1)} s`);
  coffer = await startCofferProcess({ dataDir, logFile });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const credentials = readCredentials(join(dataDir, 'credentials'));
    await page.goto(`${coffer.url}/console/`);
    await page.getByLabel('Access key ID').fill(credentials.accessKeyId);
    await page.getByLabel('Secret access key').fill(credentials.secretAccessKey);
    const signInStart = performance.now();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('table[aria-label="Secrets"][aria-busy="false"] tbody tr').first().waitFor({ timeout: 60_000 });
    const firstPage = performance.now() - signInStart;

    const rows: (string | number)[][] = [['sign-in to the first page (25)', 1, round(firstPage, 1), round(firstPage, 1), round(firstPage, 1)]];
    const measure = async (label: string, act: (round: number) => Promise<void>, reset?: () => Promise<void>) => {
      const samples: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        samples.push(await timed(page, () => act(i)));
        if (reset) await timed(page, reset);
      }
      const s = summarize(samples);
      rows.push([label, s.n, s.p50Ms, s.p90Ms, s.maxMs]);
    };
    const search = async (field: string, value: string) => {
      await page.getByLabel(field).fill(value);
      await page.getByRole('button', { name: 'Search' }).click();
    };
    await measure('next page (25)', () => page.getByRole('button', { name: 'Next' }).click());
    await measure('name prefix search', (i) => search('Name starts with', name(COUNT - 1 - i * 997)), () => search('Name starts with', ''));
    // Newest first and last by name are the same secret: the switch to sorting by name is not timed.
    await page.getByLabel('Sort by').selectOption('name');
    await page.waitForTimeout(2_000);
    await measure('sorted by name, order reversed', async (i) => {
      await page.getByLabel('Order').selectOption(i % 2 ? 'desc' : 'asc');
    });
    await measure('100 a page', async (i) => {
      await page.getByLabel('Per page').selectOption(i % 2 ? '25' : '100');
    });
    await measure('tag key filter, no match (scan budget)', (i) => search('Tag key', `absent-${i}`), () => search('Tag key', ''));
    await measure('description filter, no match (scan budget)', (i) => search('Description', `absent-${i}`), () => search('Description', ''));
    console.log(JSON.stringify({ machine: machineInfo(), secrets: COUNT }, null, 2));
    console.log(table(['console action', 'n', 'p50 ms', 'p90 ms', 'max ms'], rows));
  } finally {
    await browser.close();
    await coffer.stop();
    if (!process.env.BENCH_KEEP) rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
