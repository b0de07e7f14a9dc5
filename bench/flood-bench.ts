/**
 * A well-behaved client's GetSecretValue latency and the server's memory, alone and while
 * abusive clients flood the server: each of BENCH_FLOOD_CONNECTIONS (20) connections pipelines
 * BENCH_FLOOD_REQUESTS (300) signed GetSecretValue requests for a 60 KB secret and never reads
 * an answer. Then the flood leaves and memory is read again after BENCH_FLOOD_AFTER_S (20) s.
 *
 *   npm run bench:flood
 *
 * Environment: BENCH_FLOOD_CONNECTIONS, BENCH_FLOOD_REQUESTS, BENCH_FLOOD_CALLS (200 calls per
 * phase), BENCH_FLOOD_AFTER_S, BENCH_SERVER_ARGS (extra `coffer server` flags), BENCH_KEEP=1.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { machineInfo, sdkClient, sleep, summarize, table } from './bench-util.js';
import { processMemory, startCofferProcess, type CofferProcess } from './server-process.js';
import { RequestSigner, rawHttpRequest } from '../src/http/sigv4-signer.js';

const env = process.env;
const CONNECTIONS = Number(env.BENCH_FLOOD_CONNECTIONS ?? 20);
const REQUESTS = Number(env.BENCH_FLOOD_REQUESTS ?? 300);
const CALLS = Number(env.BENCH_FLOOD_CALLS ?? 200);
const AFTER_S = Number(env.BENCH_FLOOD_AFTER_S ?? 20);
const log = (msg: string) => console.error(`[flood] ${msg}`);

async function latencies(server: CofferProcess, secretId: string): Promise<number[]> {
  const client = sdkClient(server, 1);
  const samples: number[] = [];
  try {
    for (let i = 0; i < CALLS; i += 1) {
      const started = performance.now();
      await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      samples.push(performance.now() - started);
    }
  } finally {
    client.destroy();
  }
  return samples;
}

/** Opens the flooding connections; each writes its whole pipeline and reads nothing. */
function flood(server: CofferProcess, secretId: string): Promise<Socket[]> {
  const signer = new RequestSigner({ accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey }, server.region, 'secretsmanager');
  const request = rawHttpRequest(signer.sign(server.hostHeader, 'secretsmanager.GetSecretValue', JSON.stringify({ SecretId: secretId })));
  const { hostname, port } = new URL(server.url);
  return Promise.all(
    Array.from({ length: CONNECTIONS }, () =>
      new Promise<Socket>((resolve, reject) => {
        const socket = connect(Number(port), hostname, () => {
          socket.pause();
          socket.write(request.repeat(REQUESTS));
          resolve(socket);
        });
        socket.on('error', reject);
      }),
    ),
  );
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'coffer-flood-'));
  const extraArgs = env.BENCH_SERVER_ARGS ? env.BENCH_SERVER_ARGS.split(/\s+/).filter(Boolean) : [];
  const server = await startCofferProcess({ dataDir: join(tmp, 'data'), logFile: join(tmp, 'server.log'), extraArgs });
  try {
    const client = sdkClient(server, 1);
    const secretId = (await client.send(new CreateSecretCommand({ Name: 'flood-target', SecretString: randomBytes(30_000).toString('hex') }))).ARN!;
    client.destroy();
    await latencies(server, secretId);
    const rss = () => processMemory(server.pid)?.rssMiB ?? NaN;
    const idleRss = rss();
    log(`${CALLS} calls alone`);
    const alone = summarize(await latencies(server, secretId));

    log(`${CONNECTIONS} connections × ${REQUESTS} pipelined requests, never read`);
    const sockets = await flood(server, secretId);
    let peak = rss();
    const sampler = setInterval(() => (peak = Math.max(peak, rss())), 100);
    const flooded = summarize(await latencies(server, secretId));
    clearInterval(sampler);
    for (const socket of sockets) socket.destroy();
    log(`flood gone; waiting ${AFTER_S} s`);
    await sleep(AFTER_S * 1000);
    const after = rss();

    console.log(machineInfo());
    console.log(
      table(
        ['phase', 'p50 ms', 'p99 ms', 'max ms', 'server RSS MiB'],
        [
          ['alone', alone.p50Ms, alone.p99Ms, alone.maxMs, idleRss],
          ['during the flood', flooded.p50Ms, flooded.p99Ms, flooded.maxMs, `${peak} (peak)`],
          [`${AFTER_S} s after`, '', '', '', after],
        ],
      ),
    );
  } finally {
    await server.stop();
    if (env.BENCH_KEEP !== '1') rmSync(tmp, { recursive: true, force: true });
    else log(`kept ${tmp}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
