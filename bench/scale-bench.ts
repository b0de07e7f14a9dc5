/**
 * Coffer with 100,000 secrets: how long seeding takes, server RSS after
 * GetSecretValue and ListSecrets traffic, and ListSecrets page latency
 * (MaxResults 100; first page and a page deep in the list via NextToken)
 * through a normal signed SDK client.
 *
 *   npm run bench:scale
 *
 * Seeding goes through the server's API (SDK, keep-alive, concurrency 64)
 * while the measured rate projects a total under BENCH_SCALE_API_BUDGET
 * seconds (180); otherwise the server is stopped and the rest is seeded
 * in-process with the domain classes (SqliteStorage, KeyService,
 * SecretService from dist/src: same envelope encryption; no fsync per
 * commit while seeding), then the server is started again.
 *
 * Environment: BENCH_SCALE_COUNT (100000), BENCH_SCALE_API_BUDGET (180),
 * BENCH_SCALE_SEED (auto|api|in-process), BENCH_LIST_CALLS (200),
 * BENCH_DURATION (10, the optional wrk GetSecretValue run), BENCH_KEEP=1.
 */
import { randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand, ListSecretsCommand, type ListSecretsCommandInput } from '@aws-sdk/client-secrets-manager';
import { forEachConcurrent, machineInfo, randomValue, sdkClient, summarize, table } from './bench-util.js';
import { seedInProcess } from './seed-in-process.js';
import { PROJECT_ROOT, processMemory, round, startCofferProcess, type CofferProcess } from './server-process.js';
import { RequestSigner, rawHttpRequest } from '../src/http/sigv4-signer.js';
import { assertClean, runWrk, writeLuaScript, writeRequestPool, wrkAvailable, type WrkResult } from './wrk-runner.js';

const env = process.env;
const COUNT = Number(env.BENCH_SCALE_COUNT ?? 100_000);
const API_BUDGET_S = Number(env.BENCH_SCALE_API_BUDGET ?? 180);
const SEED_MODE = env.BENCH_SCALE_SEED ?? 'auto';
const LIST_CALLS = Number(env.BENCH_LIST_CALLS ?? 200);
const DURATION_S = Number(env.BENCH_DURATION ?? 10);
const VALUE_LENGTH = 1024;
const API_CONCURRENCY = 64;
const PROBE_S = 15;

const secretName = (i: number) => `scale-secret-${String(i).padStart(6, '0')}`;
const log = (msg: string) => console.error(`[scale] ${msg}`);
const mib = (bytes: number) => round(bytes / 1024 / 1024, 1);

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'coffer-scale-'));
  const dataDir = join(tmp, 'data');
  const logFile = join(tmp, 'server.log');
  let coffer: CofferProcess | undefined;
  let failed = false;
  try {
    log(`temp dir ${tmp}; ${COUNT} secrets of ${VALUE_LENGTH} characters`);
    coffer = await startCofferProcess({ dataDir, logFile });

    // --- Seeding --------------------------------------------------------------------------
    const seeding = { viaApi: 0, apiSeconds: 0, apiRatePerSec: 0, inProcess: 0, inProcessSeconds: 0, inProcessRatePerSec: 0, totalSeconds: 0, mode: '' };
    let seeded = 0;
    const seedStart = performance.now();
    if (SEED_MODE !== 'in-process') {
      const client = sdkClient(coffer, API_CONCURRENCY);
      const apiStart = performance.now();
      let deadline = SEED_MODE === 'api' ? Infinity : apiStart + PROBE_S * 1000;
      let decided = SEED_MODE === 'api';
      let next = 0;
      const worker = async () => {
        while (next < COUNT && performance.now() < deadline) {
          const i = next++;
          await client.send(new CreateSecretCommand({ Name: secretName(i), SecretString: randomValue(VALUE_LENGTH) }));
          seeded++;
          if (!decided && performance.now() - apiStart > PROBE_S * 1000 * 0.9) {
            decided = true;
            const rate = seeded / ((performance.now() - apiStart) / 1000);
            const projected = COUNT / rate;
            if (projected <= API_BUDGET_S) {
              deadline = Infinity;
              log(`API seeding at ${rate.toFixed(0)}/s projects ${projected.toFixed(0)} s for ${COUNT}: continuing through the API`);
            } else {
              log(`API seeding at ${rate.toFixed(0)}/s projects ${projected.toFixed(0)} s (> ${API_BUDGET_S} s budget): switching to in-process seeding`);
            }
          }
        }
      };
      await Promise.all(Array.from({ length: API_CONCURRENCY }, worker));
      client.destroy();
      seeding.viaApi = seeded;
      seeding.apiSeconds = round((performance.now() - apiStart) / 1000, 1);
      seeding.apiRatePerSec = round(seeded / seeding.apiSeconds, 0);
      log(`${seeded} secrets created through the API in ${seeding.apiSeconds} s (${seeding.apiRatePerSec}/s, SDK, concurrency ${API_CONCURRENCY})`);
    }
    if (seeded < COUNT) {
      await coffer.stop();
      coffer = undefined;
      const start = performance.now();
      await seedInProcess(dataDir, seeded, COUNT, { name: secretName, valueLength: VALUE_LENGTH, log });
      seeding.inProcess = COUNT - seeded;
      seeding.inProcessSeconds = round((performance.now() - start) / 1000, 1);
      seeding.inProcessRatePerSec = round(seeding.inProcess / seeding.inProcessSeconds, 0);
      log(`${seeding.inProcess} secrets created in-process in ${seeding.inProcessSeconds} s (${seeding.inProcessRatePerSec}/s)`);
      seeded = COUNT;
    }
    seeding.totalSeconds = round((performance.now() - seedStart) / 1000, 1);
    seeding.mode = seeding.inProcess === 0 ? 'api' : seeding.viaApi === 0 ? 'in-process' : 'api then in-process';
    const dbBytes = statSync(join(dataDir, 'coffer.db')).size;
    log(`database ${mib(dbBytes)} MiB`);

    // --- A fresh server on the seeded data ------------------------------------------------
    if (coffer) await coffer.stop();
    coffer = await startCofferProcess({ dataDir, logFile });
    const memory: Record<string, ReturnType<typeof processMemory>> = { atStart: processMemory(coffer.pid) };
    log(`server restarted (pid ${coffer.pid}), RSS ${memory.atStart?.rssMiB} MiB`);
    const client = sdkClient(coffer, 16);

    // GetSecretValue traffic through the SDK.
    const GETS = 5000;
    const getSamples: number[] = [];
    const getStart = performance.now();
    await forEachConcurrent(0, GETS, 16, async () => {
      const t = performance.now();
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretName(randomInt(COUNT)) }));
      getSamples.push(performance.now() - t);
      if (out.SecretString?.length !== VALUE_LENGTH) throw new Error('unexpected GetSecretValue response');
    });
    const getSdk = { ...summarize(getSamples), perSec: round(GETS / ((performance.now() - getStart) / 1000), 0), concurrency: 16 };
    memory.afterGets = processMemory(coffer.pid);
    log(`${GETS} GetSecretValue via SDK (c=16, random of ${COUNT}): ${getSdk.perSec}/s, p50 ${getSdk.p50Ms} ms, p99 ${getSdk.p99Ms} ms; RSS ${memory.afterGets?.rssMiB} MiB`);

    // ListSecrets: walk every page once (sequential), keeping a NextToken deep in the list.
    const deepPage = Math.floor((COUNT / 100) * 0.9);
    let deepToken: string | undefined;
    let token: string | undefined;
    let pages = 0;
    let listed = 0;
    const walkSamples: number[] = [];
    const walkStart = performance.now();
    do {
      const t = performance.now();
      const page = await client.send(new ListSecretsCommand({ MaxResults: 100, NextToken: token }));
      walkSamples.push(performance.now() - t);
      listed += page.SecretList?.length ?? 0;
      token = page.NextToken;
      pages++;
      if (pages === deepPage) deepToken = token;
    } while (token);
    const walk = { pages, listed, seconds: round((performance.now() - walkStart) / 1000, 1), ...summarize(walkSamples) };
    log(`full ListSecrets walk: ${pages} pages, ${listed} secrets in ${walk.seconds} s; page p50 ${walk.p50Ms} ms, p99 ${walk.p99Ms} ms`);
    if (listed !== COUNT) throw new Error(`ListSecrets walk listed ${listed} secrets, expected ${COUNT}`);
    if (!deepToken) throw new Error('no NextToken deep in the list');

    const timeList = async (input: ListSecretsCommandInput, calls: number, expect: number) => {
      const samples: number[] = [];
      for (let i = 0; i < calls; i++) {
        const t = performance.now();
        const page = await client.send(new ListSecretsCommand(input));
        samples.push(performance.now() - t);
        if ((page.SecretList?.length ?? 0) !== expect) throw new Error(`ListSecrets returned ${page.SecretList?.length} entries, expected ${expect}`);
      }
      return summarize(samples);
    };
    const firstPage = await timeList({ MaxResults: 100 }, LIST_CALLS, 100);
    log(`ListSecrets first page x${LIST_CALLS}: p50 ${firstPage.p50Ms} ms, p99 ${firstPage.p99Ms} ms`);
    const deep = await timeList({ MaxResults: 100, NextToken: deepToken }, LIST_CALLS, 100);
    log(`ListSecrets page ${deepPage + 1} (after ${deepPage * 100} secrets) x${LIST_CALLS}: p50 ${deep.p50Ms} ms, p99 ${deep.p99Ms} ms`);
    // A filter other than a name prefix is applied in the server after reading rows: one that
    // matches nothing reads the whole table for an empty page.
    const FILTER_CALLS = 10;
    // Meanwhile one client keeps reading secrets: its latency shows whether the scan holds up other requests.
    const bystander = sdkClient(coffer, 1);
    const bystanderSamples: number[] = [];
    let scanning = true;
    const bystanderLoop = (async () => {
      while (scanning) {
        const t = performance.now();
        await bystander.send(new GetSecretValueCommand({ SecretId: secretName(randomInt(COUNT)) }));
        bystanderSamples.push(performance.now() - t);
      }
    })();
    const filtered = await timeList({ MaxResults: 100, Filters: [{ Key: 'description', Values: ['nomatch'] }] }, FILTER_CALLS, 0);
    scanning = false;
    await bystanderLoop;
    bystander.destroy();
    const duringScan = summarize(bystanderSamples);
    log(`ListSecrets with a description filter matching nothing x${FILTER_CALLS}: p50 ${filtered.p50Ms} ms, max ${filtered.maxMs} ms`);
    log(`  a concurrent GetSecretValue loop meanwhile: ${duringScan.n} calls, p50 ${duringScan.p50Ms} ms, max ${duringScan.maxMs} ms`);
    const prefix = secretName(Math.floor(COUNT / 2)).slice(0, -3);
    const namePrefix = await timeList({ MaxResults: 100, Filters: [{ Key: 'name', Values: [prefix] }] }, LIST_CALLS, Math.min(100, 1000, COUNT - Math.floor(COUNT / 2)));
    log(`ListSecrets with name-prefix filter '${prefix}' x${LIST_CALLS}: p50 ${namePrefix.p50Ms} ms, p99 ${namePrefix.p99Ms} ms`);
    memory.afterLists = processMemory(coffer.pid);
    client.destroy();

    // Optional: GetSecretValue with wrk (pre-signed, c=32) against 100,000 secrets.
    let wrkGet: { warmup: WrkResult; measured: WrkResult } | undefined;
    if (wrkAvailable()) {
      const lua = join(tmp, 'pool.lua');
      const poolFile = join(tmp, 'pool.dat');
      writeLuaScript(lua);
      const signer = new RequestSigner(coffer, coffer.region, 'secretsmanager');
      const pool = Array.from({ length: 5000 }, () =>
        rawHttpRequest(signer.sign(coffer!.hostHeader, 'secretsmanager.GetSecretValue', JSON.stringify({ SecretId: secretName(randomInt(COUNT)) }))),
      );
      writeRequestPool(poolFile, pool);
      const run = async (scenario: string, durationS: number) => {
        const r = await runWrk({ scenario, url: coffer!.url, luaScript: lua, poolFile, poolSize: pool.length, connections: 32, threads: 1, durationS });
        assertClean(r);
        return r;
      };
      // First pass over the pool: mostly secrets not yet read today, so each read also writes LastAccessedDate.
      const warmup = await run('GetSecretValue c=32 first reads of the day', 5);
      const measured = await run('GetSecretValue c=32', DURATION_S);
      wrkGet = { warmup, measured };
      log(`wrk GetSecretValue c=32 over ${COUNT} secrets: first pass ${warmup.requestsPerSec} req/s (p99 ${warmup.p99Ms} ms), then ${measured.requestsPerSec} req/s, p50 ${measured.p50Ms} ms, p99 ${measured.p99Ms} ms`);
      memory.afterWrk = processMemory(coffer.pid);
    } else {
      log('wrk not found: skipping the wrk GetSecretValue run (apt-get install -y wrk)');
    }

    log(`server RSS: ${JSON.stringify(memory)}`);
    await coffer.stop();
    coffer = undefined;
    const serverSide = serverDurations(logFile);

    // --- Report ---------------------------------------------------------------------------
    console.log('');
    console.log(`Coffer with ${COUNT} secrets (${VALUE_LENGTH}-char values), database ${mib(dbBytes)} MiB; ${machineInfo().cpus} CPUs, node ${process.version}`);
    console.log(
      `seeding: ${seeding.mode}; ${seeding.viaApi} through the API in ${seeding.apiSeconds} s (${seeding.apiRatePerSec}/s)` +
        (seeding.inProcess ? `, ${seeding.inProcess} in-process in ${seeding.inProcessSeconds} s (${seeding.inProcessRatePerSec}/s)` : '') +
        `; total ${seeding.totalSeconds} s`,
    );
    console.log('');
    console.log(
      table(
        ['measurement', 'calls', 'p50 ms', 'p99 ms', 'max ms'],
        [
          ['ListSecrets MaxResults=100, first page', firstPage.n, firstPage.p50Ms, firstPage.p99Ms, firstPage.maxMs],
          [`ListSecrets MaxResults=100, page ${deepPage + 1} (NextToken)`, deep.n, deep.p50Ms, deep.p99Ms, deep.maxMs],
          [`ListSecrets full walk, every page`, walk.n, walk.p50Ms, walk.p99Ms, walk.maxMs],
          ['ListSecrets name-prefix filter', namePrefix.n, namePrefix.p50Ms, namePrefix.p99Ms, namePrefix.maxMs],
          ['ListSecrets description filter, no match', filtered.n, filtered.p50Ms, filtered.p99Ms, filtered.maxMs],
          ['  GetSecretValue (SDK, c=1) meanwhile', duringScan.n, duringScan.p50Ms, duringScan.p99Ms, duringScan.maxMs],
          [`GetSecretValue via SDK, c=16 (${getSdk.perSec}/s)`, getSdk.n, getSdk.p50Ms, getSdk.p99Ms, getSdk.maxMs],
          ...(wrkGet
            ? [
                [`GetSecretValue wrk c=32, first reads of the day (${wrkGet.warmup.requestsPerSec.toFixed(0)} req/s)`, wrkGet.warmup.requests, wrkGet.warmup.p50Ms, wrkGet.warmup.p99Ms, wrkGet.warmup.maxMs],
                [`GetSecretValue wrk c=32 (${wrkGet.measured.requestsPerSec.toFixed(0)} req/s)`, wrkGet.measured.requests, wrkGet.measured.p50Ms, wrkGet.measured.p99Ms, wrkGet.measured.maxMs],
              ]
            : []),
        ],
      ),
    );
    console.log('');
    console.log(
      `server RSS (MiB): ${Object.entries(memory)
        .map(([k, v]) => `${k} ${v?.rssMiB}`)
        .join(', ')}; peak ${Object.values(memory).at(-1)?.peakRssMiB}`,
    );
    console.log('server-side durations from the request log (durationMs, all runs):');
    console.log(table(['operation', 'requests', 'p50 ms', 'p99 ms', 'max ms', 'non-200'], Object.entries(serverSide).map(([op, d]) => [op, d.n, d.p50Ms, d.p99Ms, d.maxMs, d.non200])));
    const output = {
      date: new Date().toISOString(),
      machine: machineInfo(),
      secrets: COUNT,
      valueLength: VALUE_LENGTH,
      databaseMiB: mib(dbBytes),
      seeding,
      memory,
      serverSideDurations: serverSide,
      getSecretValueSdk: getSdk,
      listSecrets: { firstPage, deepPage: { page: deepPage + 1, ...deep }, fullWalk: walk, namePrefixFilter: namePrefix, descriptionFilterNoMatch: filtered, getSecretValueDuringFilterScans: duringScan },
      ...(wrkGet
        ? {
            getSecretValueWrk: Object.fromEntries(Object.entries(wrkGet).map(([k, { wrkOutput: _omit, ...r }]) => [k, r])),
          }
        : {}),
    };
    mkdirSync(join(PROJECT_ROOT, 'bench/results'), { recursive: true });
    // A run with another secret count does not replace the 100,000-secret results.
    const outFile = join(PROJECT_ROOT, `bench/results/${COUNT === 100_000 ? 'scale-latest' : `scale-${COUNT}`}.json`);
    writeFileSync(outFile, JSON.stringify(output, null, 2) + '\n');
    console.log(`\nresults written to ${outFile}`);
  } catch (error) {
    failed = true;
    console.error(`scale-bench FAILED: ${(error as Error).stack ?? error}`);
    if (coffer) console.error(`server stderr:\n${coffer.stderr()}`);
  } finally {
    await coffer?.stop();
    if (env.BENCH_KEEP === '1') log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

/** Per-operation durations the server logged (one JSON line per request). */
function serverDurations(logFile: string): Record<string, ReturnType<typeof summarize> & { non200: number }> {
  const byOperation = new Map<string, { samples: number[]; non200: number }>();
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('"durationMs"')) continue;
    const entry = JSON.parse(line) as { operation?: string; durationMs: number; status: number };
    const op = entry.operation ?? '(unrouted)';
    let bucket = byOperation.get(op);
    if (!bucket) byOperation.set(op, (bucket = { samples: [], non200: 0 }));
    bucket.samples.push(entry.durationMs);
    if (entry.status !== 200) bucket.non200++;
  }
  return Object.fromEntries([...byOperation].map(([op, b]) => [op, { ...summarize(b.samples), non200: b.non200 }]));
}

await main();
