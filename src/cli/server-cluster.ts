import cluster, { type Worker } from 'node:cluster';
import { readFileSync } from 'node:fs';
import type { MetricsServer } from '../metrics/metrics-server.js';
import { initializeData, startCoffer } from '../app/coffer-app.js';
import type { CofferConfig } from '../config/config.js';
import { endpointUrl } from '../http/server.js';
import { noteEndpoint, onStopSignal, printBanner, startOrExit } from './server-lifecycle.js';
import { relayUnsealMaterial, workerUnsealPeers } from './cluster-unseal-channel.js';

/**
 * `--workers N`: N server processes share the listening port (node:cluster)
 * and the database (SQLite in shared mode). The primary does the first-start
 * work once, starts the workers, prints where they listen and stops them on
 * SIGTERM/SIGINT. The worker holding the background lease runs background work.
 * Seal and root key rotation are recorded in the database, which every worker
 * follows; the material of an unseal is passed from worker to worker.
 */
export async function runPrimary(config: CofferConfig): Promise<void> {
  const credentialsPath = await startOrExit(() => initializeData(config));
  const metrics = config.metrics ? await startOrExit(() => clusterMetricsServer(config)) : undefined;
  let stopping = false;
  let listening = 0;
  const liveWorkers = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
  const relay = relayUnsealMaterial(liveWorkers);
  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (message) => relay(worker, message));
    worker.once('listening', (address) => {
      if (++listening !== config.workers) return;
      const url = endpointUrl(address.address, address.port, Boolean(config.tlsCert));
      noteEndpoint(config.dataDir, config.dev, url);
      printBanner(url, credentialsPath, metrics?.url, config.rootKeyProvider === 'shamir');
    });
    worker.once('exit', (code) => {
      if (stopping) return;
      // A worker that dies is replaced; one that cannot start stops the server.
      if (listening < config.workers) {
        console.error(`coffer: a worker failed to start (exit ${code})`);
        process.exit(1);
      }
      console.error(`coffer: a worker exited (${code}); starting another`);
      fork();
    });
    return worker;
  };
  for (let i = 0; i < config.workers; i++) fork();
  onStopSignal(async (signal) => {
    stopping = true;
    console.error(`coffer: ${signal} received, finishing in-flight requests`);
    const workers = liveWorkers();
    const codes = await Promise.all(
      workers.map((worker) => new Promise<number | null>((resolve) => {
        worker.once('exit', (code) => resolve(code));
        worker.process.kill('SIGTERM');
      })),
    );
    process.exit(codes.every((code) => code === 0) ? 0 : 1);
  });
}

/** The workers' metrics, aggregated by the primary on the metrics listener (prom-client's cluster support). */
async function clusterMetricsServer(config: CofferConfig): Promise<MetricsServer> {
  const [{ clusterScrape }, { startMetricsServer }] = await Promise.all([import('../metrics/coffer-metrics.js'), import('../metrics/metrics-server.js')]);
  const tls = config.tlsCert && config.tlsKey ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } : undefined;
  return startMetricsServer(config.metrics!, clusterScrape(), tls);
}

export async function runWorker(config: CofferConfig): Promise<void> {
  const starting = startOrExit(() => startCoffer(config, { shared: true, peers: workerUnsealPeers() }));
  // Before the start ends: the primary announces the server once every worker listens, which is
  // before a worker's start has finished, and a supervisor may stop it as soon as it reads that.
  onStopSignal(async () => {
    await (await starting).close();
    process.exit(0);
  });
  await starting;
}
