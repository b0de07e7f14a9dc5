/**
 * What getting secrets into applications costs, against a real Coffer server:
 * - the agent's cache-hit path: `GET /secretsmanager/get?secretId=…` with the SSRF token at
 *   c=32 (wrk), side by side with the bare node:http reference answering a body of the same size;
 * - from a committed PutSecretValue (the SDK's call has returned) to the agent serving the new
 *   value: median and p99 over BENCH_AGENT_CHANGES (200) changes, read in a tight loop;
 * - `coffer run`'s overhead: `coffer run -- true` against `true`, and `coffer run --secret ID --
 *   true` (one BatchGetSecretValue), the median of BENCH_RUN_TIMES (20) runs each.
 *
 *   npm run bench:agent        (also the second half of npm run bench)
 *
 * Environment: BENCH_DURATION (s per wrk run, 10), BENCH_SECRETS (1000), BENCH_AGENT_CHANGES
 * (200), BENCH_RUN_TIMES (20), BENCH_KEEP=1 (keep the temp dir). Writes bench/results/agent-latest.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { forEachConcurrent, machineInfo, randomValue, sdkClient, summarize, table } from './bench-util.js';
import { COFFER_BIN, PROJECT_ROOT, round, spawnServer, startCofferProcess, type CofferProcess, type ServerProcess } from './server-process.js';
import { assertClean, runWrk, writeLuaScript, writeRequestPool, wrkAvailable, wrkVersion, type WrkResult } from './wrk-runner.js';

const env = process.env;
const DURATION_S = Number(env.BENCH_DURATION ?? 10);
const SECRETS = Number(env.BENCH_SECRETS ?? 1000);
const CHANGES = Number(env.BENCH_AGENT_CHANGES ?? 200);
const RUN_TIMES = Number(env.BENCH_RUN_TIMES ?? 20);
const VALUE_LENGTH = 1024;
const CONNECTIONS = 32;
const WARMUP_S = 3;
const TOKEN = 'bench-ssrf-token';

const secretName = (i: number) => `agent-bench-${String(i).padStart(5, '0')}`;
const log = (msg: string) => console.error(`[agent-bench] ${msg}`);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });

/** One agent read on a kept-alive connection. */
function agentGet(agent: ServerProcess, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${agent.url}${path}`, { agent: keepAlive, headers: { 'X-Aws-Parameters-Secrets-Token': TOKEN } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The median wall time of `runs` runs of a command, in ms. */
function medianRunMs(command: string, args: string[], runEnv: NodeJS.ProcessEnv, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const r = spawnSync(command, args, { env: runEnv, stdio: 'ignore' });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.status}`);
  }
  return round(summarize(times).p50Ms, 1);
}

async function main(): Promise<void> {
  if (!wrkAvailable()) {
    console.error('agent-bench: wrk is required but was not found on PATH (Debian: apt-get install -y wrk).');
    process.exit(1);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'coffer-agent-bench-'));
  const lua = join(tmp, 'pool.lua');
  writeLuaScript(lua);
  let coffer: CofferProcess | undefined;
  let agent: ServerProcess | undefined;
  let bare: ServerProcess | undefined;
  let failed = false;
  try {
    coffer = await startCofferProcess({ dataDir: join(tmp, 'data'), logFile: join(tmp, 'server.log') });
    const clientEnv = { AWS_ENDPOINT_URL: coffer.url, AWS_SHARED_CREDENTIALS_FILE: join(coffer.dataDir, 'credentials'), AWS_PROFILE: 'coffer', AWS_REGION: coffer.region };
    const client = sdkClient(coffer, 32);
    await forEachConcurrent(0, SECRETS, 32, async (i) => {
      await client.send(new CreateSecretCommand({ Name: secretName(i), SecretString: randomValue(VALUE_LENGTH) }));
    });
    log(`seeded ${SECRETS} secrets of ${VALUE_LENGTH} characters`);

    agent = await spawnServer(COFFER_BIN, ['agent', '--port', String(await freePort()), '--log-file', join(tmp, 'agent.log')], {
      env: { ...clientEnv, AWS_TOKEN: TOKEN, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    log(`agent at ${agent.url}`);
    // Every secret read once, so that the runs measure the cache-hit path.
    await forEachConcurrent(0, SECRETS, 16, async (i) => {
      const r = await agentGet(agent!, `/secretsmanager/get?secretId=${secretName(i)}`);
      if (r.status !== 200) throw new Error(`agent read ${r.status}: ${r.body}`);
    });
    const sample = await agentGet(agent, `/secretsmanager/get?secretId=${secretName(0)}`);
    const bodyFile = join(tmp, 'agent-response.json');
    writeFileSync(bodyFile, sample.body);
    bare = await spawnServer(join(PROJECT_ROOT, 'dist/bench/bare-server.js'), ['--port', '0', '--body-file', bodyFile]);

    const pool = (target: ServerProcess) =>
      Array.from({ length: 5000 }, (_, i) => `GET /secretsmanager/get?secretId=${secretName(i % SECRETS)} HTTP/1.1\r\nHost: ${target.hostHeader}\r\nX-Aws-Parameters-Secrets-Token: ${TOKEN}\r\n\r\n`);
    const run = async (scenario: string, target: ServerProcess, durationS: number) => {
      const poolFile = join(tmp, 'pool.dat');
      const requests = pool(target);
      writeRequestPool(poolFile, requests);
      const result = await runWrk({ scenario, url: target.url, luaScript: lua, poolFile, poolSize: requests.length, connections: CONNECTIONS, threads: 1, durationS });
      assertClean(result);
      return result;
    };
    const hits: WrkResult[] = [];
    for (const [name, target] of [['agent', agent], ['bare', bare]] as const) {
      await run(`warm-up ${name}`, target, WARMUP_S);
      const result = await run(`GET /secretsmanager/get ${name} c=${CONNECTIONS}`, target, DURATION_S);
      log(`${result.scenario}: ${result.requestsPerSec} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`);
      hits.push(result);
    }
    const hitRatio = round(hits[0]!.requestsPerSec / hits[1]!.requestsPerSec, 3);

    // From the committed write to the agent serving it, in a tight read loop.
    const delays: number[] = [];
    const changed = secretName(1);
    for (let i = 0; i < CHANGES; i++) {
      const put = await client.send(new PutSecretValueCommand({ SecretId: changed, SecretString: randomValue(VALUE_LENGTH) }));
      const committed = performance.now();
      for (;;) {
        const r = await agentGet(agent, `/secretsmanager/get?secretId=${changed}`);
        if ((JSON.parse(r.body) as { VersionId: string }).VersionId === put.VersionId) break;
        if (performance.now() - committed > 5000) throw new Error(`change ${i} not served within 5 s`);
      }
      delays.push(performance.now() - committed);
    }
    client.destroy();
    const propagation = summarize(delays);
    log(`PutSecretValue -> agent serving it: median ${propagation.p50Ms} ms, p99 ${propagation.p99Ms} ms over ${CHANGES} changes`);

    // coffer run's overhead: the command alone, coffer run without secrets, and with one.
    const runEnv = { ...process.env, ...clientEnv };
    const trueMs = medianRunMs('true', [], runEnv, RUN_TIMES);
    const bareRunMs = medianRunMs(COFFER_BIN, ['run', '--', 'true'], runEnv, RUN_TIMES);
    const secretRunMs = medianRunMs(COFFER_BIN, ['run', '--secret', secretName(2), '--', 'true'], runEnv, RUN_TIMES);
    const nodeMs = medianRunMs(process.execPath, ['-e', '0'], runEnv, RUN_TIMES);
    log(`true ${trueMs} ms; node -e 0 ${nodeMs} ms; coffer run -- true ${bareRunMs} ms; with one secret ${secretRunMs} ms`);

    console.log('');
    console.log(`${machineInfo().cpus} CPUs; wrk -t1 -c${CONNECTIONS} -d${DURATION_S}s, ${SECRETS} cached secrets of ${VALUE_LENGTH} chars`);
    console.log(
      table(
        ['measure', 'value'],
        [
          ...hits.map((h) => [`${h.scenario} req/s (p50, p99 ms)`, `${h.requestsPerSec.toFixed(0)} (${h.p50Ms}, ${h.p99Ms})`]),
          ['agent/bare req/s (target >= 0.6)', hitRatio.toFixed(3)],
          [`PutSecretValue -> agent serves it, median ms (target < 100)`, propagation.p50Ms.toFixed(1)],
          [`PutSecretValue -> agent serves it, p99 ms (${CHANGES} changes)`, propagation.p99Ms.toFixed(1)],
          [`true, median of ${RUN_TIMES} ms`, trueMs.toFixed(1)],
          [`node -e 0, median ms`, nodeMs.toFixed(1)],
          [`coffer run -- true, median ms`, bareRunMs.toFixed(1)],
          [`coffer run -- true overhead ms (target < 150)`, (bareRunMs - trueMs).toFixed(1)],
          [`coffer run --secret ID -- true, median ms`, secretRunMs.toFixed(1)],
        ],
      ),
    );
    const output = {
      date: new Date().toISOString(),
      machine: machineInfo(),
      wrk: wrkVersion(),
      settings: { durationS: DURATION_S, secrets: SECRETS, valueLength: VALUE_LENGTH, connections: CONNECTIONS, changes: CHANGES, runTimes: RUN_TIMES },
      cacheHits: hits.map(({ wrkOutput: _omit, ...h }) => h),
      agentOverBare: hitRatio,
      propagationMs: propagation,
      runMedianMs: { true: trueMs, node: nodeMs, cofferRun: bareRunMs, cofferRunOneSecret: secretRunMs, overhead: round(bareRunMs - trueMs, 1) },
    };
    mkdirSync(join(PROJECT_ROOT, 'bench/results'), { recursive: true });
    const outFile = join(PROJECT_ROOT, 'bench/results/agent-latest.json');
    writeFileSync(outFile, JSON.stringify(output, null, 2) + '\n');
    console.log(`\nresults written to ${outFile}`);
  } catch (error) {
    failed = true;
    console.error(`agent-bench FAILED: ${(error as Error).stack ?? error}`);
    if (agent) console.error(`agent stderr:\n${agent.stderr()}`);
  } finally {
    await bare?.stop();
    await agent?.stop();
    await coffer?.stop();
    if (env.BENCH_KEEP === '1') log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

await main();
