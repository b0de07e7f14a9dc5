/**
 * GetSecretValue / PutSecretValue throughput and latency of a real Coffer
 * server, measured with wrk side by side with a bare node:http server that
 * returns a body of the same size (the reference).
 *
 *   npm run bench
 *
 * Environment: BENCH_DURATION (s per run, 10), BENCH_WRK_THREADS (1),
 * BENCH_SECRETS (1000), BENCH_GET_POOL (5000), BENCH_PUT_POOL (auto-sized),
 * BENCH_ONLY (get|put|iam: iam is the IAM user's reads and the bare server at c=32 only), BENCH_CPU_PROF=1 (server runs with --cpu-prof; a
 * summary of the profile is printed), BENCH_KEEP=1 (keep the temp dir),
 * BENCH_SERVER_ARGS (extra server flags, e.g. '--workers 2'; RSS is then the
 * primary process's only), BENCH_NODE_ARGS (extra node flags for the server).
 * Full runs write bench/results/latest.json; BENCH_ONLY / BENCH_CPU_PROF
 * runs write bench/results/latest-<only>[-profiled].json instead.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, paginateListSecretVersionIds } from '@aws-sdk/client-secrets-manager';
import { forEachConcurrent, machineInfo, randomValue, sdkClient, sendRaw, table } from './bench-util.js';
import { busyWithin, summarizeProfile, type ProfileEntry, type TimeWindow } from './cpuprofile-summary.js';
import { PROJECT_ROOT, processMemory, round, spawnServer, startCofferProcess, type CofferProcess, type ServerProcess } from './server-process.js';
import { RequestSigner, rawHttpRequest, type SigningCredentials } from '../src/http/sigv4-signer.js';
import { createBenchUser } from './iam-bench-user.js';
import { auditGrowth, measureThreads, settledAuditStorage, type ThreadCpu } from './server-measures.js';
import { assertClean, runWrk, writeLuaScript, writeRequestPool, wrkAvailable, wrkVersion, type WrkResult } from './wrk-runner.js';

const env = process.env;
const DURATION_S = Number(env.BENCH_DURATION ?? 10);
const WRK_THREADS = Number(env.BENCH_WRK_THREADS ?? 1);
const SECRETS = Number(env.BENCH_SECRETS ?? 1000);
const GET_POOL = Number(env.BENCH_GET_POOL ?? 5000);
const VALUE_LENGTH = 1024;
const GET_CONCURRENCY = [1, 32];
const PUT_CONCURRENCY = [1, 8];
const WARMUP_S = 3;
const ONLY = env.BENCH_ONLY;
const CPU_PROF = env.BENCH_CPU_PROF === '1';

const secretName = (i: number) => `bench-secret-${String(i).padStart(5, '0')}`;

async function main(): Promise<void> {
  if (!wrkAvailable()) {
    console.error('get-put-bench: wrk is required but was not found on PATH.');
    console.error('  Debian/Ubuntu: sudo apt-get install -y wrk');
    console.error('  macOS:         brew install wrk');
    console.error('  from source:   https://github.com/wg/wrk');
    process.exit(1);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'coffer-bench-'));
  const dataDir = join(tmp, 'data');
  const profDir = join(tmp, 'cpu-prof');
  const lua = join(tmp, 'pool.lua');
  writeLuaScript(lua);
  const log = (msg: string) => console.error(`[bench] ${msg}`);
  let coffer: CofferProcess | undefined;
  let bare: ServerProcess | undefined;
  let failed = false;
  try {
    log(`temp dir ${tmp}`);
    coffer = await startCofferProcess({
      dataDir,
      logFile: join(tmp, 'server.log'),
      nodeArgs: CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', profDir] : (process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      extraArgs: process.env.BENCH_SERVER_ARGS?.split(' ').filter(Boolean),
    });
    log(`coffer pid ${coffer.pid} at ${coffer.url}`);
    const memoryAtStart = processMemory(coffer.pid);

    // Seed through the API with a normal signed client.
    const client = sdkClient(coffer, 32);
    const seedStart = performance.now();
    await forEachConcurrent(0, SECRETS, 32, async (i) => {
      await client.send(new CreateSecretCommand({ Name: secretName(i), SecretString: randomValue(VALUE_LENGTH) }));
    });
    const seedMs = performance.now() - seedStart;
    client.destroy();
    log(`seeded ${SECRETS} secrets of ${VALUE_LENGTH} characters in ${(seedMs / 1000).toFixed(2)} s`);

    // One real GetSecretValue, sent with the same signer as the pools: proves the signer
    // works and gives the bare server a body of exactly the size Coffer returns.
    const probe = new RequestSigner(coffer, coffer.region, 'secretsmanager').sign(
      coffer.hostHeader,
      'secretsmanager.GetSecretValue',
      JSON.stringify({ SecretId: secretName(0) }),
    );
    const captured = await sendRaw(coffer.url, probe.headers, probe.body);
    if (captured.status !== 200) throw new Error(`signed GetSecretValue probe failed: ${captured.status} ${captured.body}`);
    const bodyFile = join(tmp, 'get-secret-value-response.json');
    writeFileSync(bodyFile, captured.body);
    log(`GetSecretValue response body: ${Buffer.byteLength(captured.body)} bytes`);

    bare = await spawnServer(join(PROJECT_ROOT, 'dist/bench/bare-server.js'), ['--port', '0', '--body-file', bodyFile]);
    log(`bare server pid ${bare.pid} at ${bare.url}`);

    const results: WrkResult[] = [];
    /** When each scenario ran, on the clock the CPU profiles use. */
    const windows = new Map<string, TimeWindow>();
    const nowUs = () => Number(process.hrtime.bigint() / 1000n);
    /** Coffer's CPU per request by thread, per measured scenario. */
    const threadCpu = new Map<string, ThreadCpu>();
    const run = async (scenario: string, target: ServerProcess, connections: number, durationS: number, pool: string[]) => {
      const poolFile = join(tmp, 'pool.dat');
      writeRequestPool(poolFile, pool);
      const fromUs = nowUs();
      const threads = target === coffer ? measureThreads(target.pid) : undefined;
      const result = await runWrk({ scenario, url: target.url, luaScript: lua, poolFile, poolSize: pool.length, connections, threads: WRK_THREADS, durationS });
      if (threads) threadCpu.set(scenario, threads(result.requests));
      windows.set(scenario, { fromUs, toUs: nowUs() });
      assertClean(result);
      return result;
    };
    const getPool = (server: ServerProcess, credentials: SigningCredentials = coffer!) => {
      const signer = new RequestSigner(credentials, coffer!.region, 'secretsmanager');
      return Array.from({ length: GET_POOL }, () =>
        rawHttpRequest(signer.sign(server.hostHeader, 'secretsmanager.GetSecretValue', JSON.stringify({ SecretId: secretName(randomInt(SECRETS)) }))),
      );
    };

    let auditPerRead: ReturnType<typeof auditGrowth> | undefined;
    if (ONLY !== 'put') {
      // Warm-up (discarded): JIT, connection set-up, and the once-a-day LastAccessedDate write of each secret.
      for (const [name, target] of [['coffer', coffer], ['bare', bare]] as const) {
        const warm = await run(`warm-up ${name}`, target, 32, WARMUP_S, getPool(target));
        log(`warm-up ${name}: ${warm.requestsPerSec} req/s (discarded)`);
      }
      for (const connections of ONLY === 'iam' ? [32] : GET_CONCURRENCY) {
        for (const [name, target] of ONLY === 'iam' ? ([['bare', bare]] as const) : ([['coffer', coffer], ['bare', bare]] as const)) {
          const scenario = `GetSecretValue ${name} c=${connections}`;
          const result = await run(scenario, target, connections, DURATION_S, getPool(target));
          log(`${scenario}: ${result.requestsPerSec} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms (${result.requests} requests, all 200)`);
          results.push(result);
        }
      }
      // The same reads by an IAM user whose access comes from a 10-statement policy and each secret's resource policy.
      const user = await createBenchUser(coffer, Array.from({ length: SECRETS }, (_, i) => secretName(i)));
      log(`IAM user ${user.arn} with a 10-statement policy; resource policies on ${SECRETS} secrets`);
      const warm = await run('warm-up iam-user', coffer, 32, WARMUP_S, getPool(coffer, user));
      log(`warm-up iam-user: ${warm.requestsPerSec} req/s (discarded)`);
      const scenario = `GetSecretValue iam-user c=32`;
      const storedBefore = await settledAuditStorage(coffer.dataDir);
      const result = await run(scenario, coffer, 32, DURATION_S, getPool(coffer, user));
      auditPerRead = auditGrowth(storedBefore, await settledAuditStorage(coffer.dataDir));
      log(`audit.db: ${auditPerRead.bytesPerEntry} bytes per GetSecretValue entry over ${auditPerRead.entries} entries`);
      log(`${scenario}: ${result.requestsPerSec} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms (${result.requests} requests, all 200)`);
      results.push(result);
    }

    const putWrites: Record<string, { realWrites: number; realWritesPerSec: number; poolSize: number; sent: number; poolWraps: number }> = {};
    let putPoolSize = 0;
    if (ONLY !== 'get' && ONLY !== 'iam') {
      let putRun = 0;
      const putPool = (size: number) => {
        const signer = new RequestSigner(coffer!, coffer!.region, 'secretsmanager');
        const offset = putRun++ * 7919;
        return Array.from({ length: size }, (_, i) =>
          rawHttpRequest(
            signer.sign(
              coffer!.hostHeader,
              'secretsmanager.PutSecretValue',
              JSON.stringify({ SecretId: secretName((offset + i) % SECRETS), ClientRequestToken: randomUUID(), SecretString: randomValue(VALUE_LENGTH) }),
            ),
          ),
        );
      };
      // Size the pool from a short probe so that every request of a run is a distinct write.
      const probeResult = await run('PutSecretValue probe c=8', coffer, 8, 2, putPool(8000));
      putPoolSize = Number(env.BENCH_PUT_POOL ?? Math.max(5000, Math.ceil((probeResult.requestsPerSec * DURATION_S * 1.4) / 1000) * 1000));
      log(`put probe: ${probeResult.requestsPerSec} req/s at c=8 -> pool of ${putPoolSize} distinct requests per run`);
      for (const connections of PUT_CONCURRENCY) {
        const scenario = `PutSecretValue coffer c=${connections}`;
        const before = await countVersions(coffer);
        const result = await run(scenario, coffer, connections, DURATION_S, putPool(putPoolSize));
        const realWrites = (await countVersions(coffer)) - before;
        putWrites[scenario] = {
          realWrites,
          realWritesPerSec: round(realWrites / result.durationS, 1),
          poolSize: putPoolSize,
          sent: result.sent,
          poolWraps: result.poolWraps,
        };
        log(`${scenario}: ${result.requestsPerSec} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms; ${realWrites} new versions in the database`);
        results.push(result);
      }
    }

    const memoryAfterLoad = processMemory(coffer.pid);
    const bareMemory = processMemory(bare.pid);
    log(`coffer RSS after load: ${memoryAfterLoad?.rssMiB} MiB (peak ${memoryAfterLoad?.peakRssMiB} MiB); bare server ${bareMemory?.rssMiB} MiB`);

    await bare.stop();
    bare = undefined;
    await coffer.stop();
    const logText = readFileSync(coffer.logFile, 'utf8');
    const serverLogErrors = logText.split('\n').filter((l) => /"level":(50|60)/.test(l));
    coffer = undefined;

    // Report.
    const byName = new Map(results.map((r) => [r.scenario, r]));
    const ratios: Record<string, { throughput: number; p50: number; p99: number }> = {};
    for (const c of GET_CONCURRENCY) {
      const a = byName.get(`GetSecretValue coffer c=${c}`);
      const b = byName.get(`GetSecretValue bare c=${c}`);
      if (a && b) ratios[`c=${c}`] = ratioOf(a, b);
    }
    const asUser = byName.get('GetSecretValue iam-user c=32');
    const bare32 = byName.get('GetSecretValue bare c=32');
    if (asUser && bare32) ratios['iam-user c=32'] = ratioOf(asUser, bare32);
    const rows = results.map((r) => {
      const c = `c=${r.connections}`;
      const ratioKey = r.scenario.startsWith('GetSecretValue coffer') ? c : r.scenario.startsWith('GetSecretValue iam-user') ? `iam-user ${c}` : undefined;
      const ratio = ratioKey && ratios[ratioKey] ? `${ratios[ratioKey]!.throughput.toFixed(3)}` : '';
      const writes = putWrites[r.scenario] ? `${putWrites[r.scenario]!.realWrites} (${putWrites[r.scenario]!.realWritesPerSec}/s)` : '';
      const cpu = threadCpu.get(r.scenario);
      const perThread = cpu ? [cpu.main, cpu.audit, cpu.other].map((us) => us.toFixed(1)) : ['', '', ''];
      return [r.scenario, r.requestsPerSec.toFixed(0), r.p50Ms.toFixed(3), r.p99Ms.toFixed(3), ratio, writes, ...perThread];
    });
    console.log('');
    console.log(`wrk -t${WRK_THREADS} -d${DURATION_S}s --latency, keep-alive, pre-signed SigV4 requests; ${SECRETS} secrets of ${VALUE_LENGTH} chars; ${machineInfo().cpus} CPUs`);
    console.log(table(['scenario', 'req/s', 'p50 ms', 'p99 ms', 'coffer/bare req/s', 'real writes', 'main µs/req', 'audit µs/req', 'other µs/req'], rows));
    console.log('(CPU per request of the server\'s threads, from /proc: the main thread, the audit thread, the rest — GC and compiler helpers)');
    if (auditPerRead) {
      const tables = Object.entries(auditPerRead.tables).map(([name, bytes]) => `${name} ${bytes}`).join(', ');
      console.log(`audit.db: ${auditPerRead.bytesPerEntry} bytes per GetSecretValue entry, index included (${tables})`);
    }
    console.log('');
    console.log(`coffer RSS: ${memoryAtStart?.rssMiB} MiB at start, ${memoryAfterLoad?.rssMiB} MiB after load (peak ${memoryAfterLoad?.peakRssMiB} MiB); bare server ${bareMemory?.rssMiB} MiB`);
    if (serverLogErrors.length) console.log(`server log: ${serverLogErrors.length} error lines, first: ${serverLogErrors[0]}`);

    let profile: ReturnType<typeof summarizeProfile> | undefined;
    let auditThreadProfile: ReturnType<typeof summarizeProfile> | undefined;
    let perRequest: ({ scenario: string; requests: number; mainUs: number; auditUs: number } & TimeWindow)[] | undefined;
    if (CPU_PROF) {
      // One file per thread, CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile: thread 0 is the main thread, the other the audit thread.
      const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
      const main = files.find((f) => f.split('.')[4] === '0');
      const audit = files.find((f) => f !== main);
      // The target scenario's window when it ran: the profile of the reads by an IAM user, per request.
      const focus = byName.get('GetSecretValue iam-user c=32');
      const window = focus ? windows.get(focus.scenario) : undefined;
      const perRequestUs = (ms: number) => (focus ? ((ms * 1000) / focus.requests).toFixed(1) : '');
      const print = (title: string, summary: ReturnType<typeof summarizeProfile>) => {
        const span = focus ? `during ${focus.scenario}` : 'whole run';
        console.log(`\n${title}, ${span} (sampled ${(summary.totalMs / 1000).toFixed(1)} s, idle ${(summary.idleMs / 1000).toFixed(1)} s)`);
        const rows = (entries: ProfileEntry[], ms: (e: ProfileEntry) => number) => entries.map((t) => [t.name, ms(t).toFixed(0), perRequestUs(ms(t)), t.location]);
        console.log(table(['top self time', 'self ms', 'µs/req', 'location'], rows(summary.top, (t) => t.selfMs)));
        console.log(table(['top inclusive time', 'total ms', 'µs/req', 'location'], rows(summary.topInclusive, (t) => t.totalMs)));
      };
      if (main) print(`server main thread CPU profile (${main})`, (profile = summarizeProfile(join(profDir, main), 30, window)));
      if (audit) print(`server audit thread CPU profile (${audit})`, (auditThreadProfile = summarizeProfile(join(profDir, audit), 12, window)));
      if (main && audit) {
        // Each request writes one audit record, so busy time over requests is the cost of a request (and of its record).
        const measured = results.filter((r) => r.scenario.startsWith('GetSecretValue') && !r.scenario.includes('bare'));
        const spans = measured.map((r) => windows.get(r.scenario)!);
        const [mainBusy, auditBusy] = [main, audit].map((file) => busyWithin(join(profDir, file), spans));
        perRequest = measured.map((r, i) => ({ scenario: r.scenario, requests: r.requests, mainUs: round(mainBusy![i]! / r.requests, 1), auditUs: round(auditBusy![i]! / r.requests, 1), ...spans[i]! }));
        console.log('\nbusy (sampled, not idle) microseconds per request, during each run:');
        console.log(table(['scenario', 'requests', 'main thread', 'audit thread'], perRequest.map((p) => [p.scenario, String(p.requests), p.mainUs.toFixed(1), p.auditUs.toFixed(1)])));
      }
    }

    const output = {
      date: new Date().toISOString(),
      machine: machineInfo(),
      wrk: wrkVersion(),
      settings: { durationS: DURATION_S, wrkThreads: WRK_THREADS, secrets: SECRETS, valueLength: VALUE_LENGTH, getPool: GET_POOL, putPool: putPoolSize, warmupS: WARMUP_S },
      seeding: { secrets: SECRETS, seconds: round(seedMs / 1000, 2), via: 'CreateSecret through the API, SDK, keep-alive, concurrency 32' },
      getSecretValueResponseBytes: Buffer.byteLength(captured.body),
      scenarios: results.map(({ wrkOutput: _omit, ...r }) => ({ ...r, ...(putWrites[r.scenario] ?? {}) })),
      ratiosCofferOverBare: ratios,
      cpuMicrosecondsPerRequest: Object.fromEntries(threadCpu),
      ...(auditPerRead ? { auditBytesPerRead: auditPerRead } : {}),
      memory: { cofferAtStart: memoryAtStart, cofferAfterLoad: memoryAfterLoad, bareAfterLoad: bareMemory },
      serverLogErrors: serverLogErrors.length,
      ...(profile ? { cpuProfile: profile } : {}),
      ...(auditThreadProfile ? { auditThreadCpuProfile: auditThreadProfile } : {}),
      ...(perRequest ? { busyMicrosecondsPerRequest: perRequest } : {}),
      wrkOutput: Object.fromEntries(results.map((r) => [r.scenario, r.wrkOutput])),
    };
    mkdirSync(join(PROJECT_ROOT, 'bench/results'), { recursive: true });
    // A partial or profiled run does not replace the full results.
    const outFile = join(PROJECT_ROOT, `bench/results/${ONLY || CPU_PROF ? `latest-${ONLY ?? 'all'}${CPU_PROF ? '-profiled' : ''}` : 'latest'}.json`);
    writeFileSync(outFile, JSON.stringify(output, null, 2) + '\n');
    console.log(`\nresults written to ${outFile}`);
  } catch (error) {
    failed = true;
    console.error(`get-put-bench FAILED: ${(error as Error).stack ?? error}`);
    if (coffer) console.error(`server stderr:\n${coffer.stderr()}`);
  } finally {
    await bare?.stop();
    await coffer?.stop();
    if (env.BENCH_KEEP === '1') log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

/**
 * Versions stored across the bench's secrets, counted through the API (the
 * server holds its database exclusively): every version, labelled or not.
 */
async function countVersions(coffer: CofferProcess): Promise<number> {
  const client = sdkClient(coffer, 16);
  let count = 0;
  try {
    await forEachConcurrent(0, SECRETS, 16, async (i) => {
      for await (const page of paginateListSecretVersionIds({ client }, { SecretId: secretName(i), IncludeDeprecated: true })) {
        count += page.Versions?.length ?? 0;
      }
    });
  } finally {
    client.destroy();
  }
  return count;
}

function ratioOf(a: WrkResult, b: WrkResult): { throughput: number; p50: number; p99: number } {
  return { throughput: round(a.requestsPerSec / b.requestsPerSec, 3), p50: round(a.p50Ms / b.p50Ms, 2), p99: round(a.p99Ms / b.p99Ms, 2) };
}

await main();
