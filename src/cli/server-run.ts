import cluster from 'node:cluster';
import { startCoffer } from '../app/coffer-app.js';
import type { CofferConfig } from '../config/config.js';
import { runPrimary, runWorker } from './server-cluster.js';
import { noteEndpoint, onStopSignal, printBanner, startOrExit } from './server-lifecycle.js';

/** Runs `coffer server` with its settings: one process, a cluster's primary, or one of its workers. */
export async function runServer(config: CofferConfig): Promise<void> {
  // Every file Coffer creates (database, WAL, logs) is for its own user alone.
  process.umask(0o077);
  if (cluster.isWorker) return runWorker(config);
  if (config.dev) {
    console.error(
      [
        '',
        '  *****************************************************************',
        '  *  DEVELOPMENT MODE: storage is in memory and lost on exit, and  *',
        '  *  ANY access key is accepted (signatures are not verified).     *',
        '  *  Never use --dev for real secrets.                             *',
        '  *****************************************************************',
        '',
      ].join('\n'),
    );
  }
  if (config.workers > 1) return runPrimary(config);
  const coffer = await startOrExit(() => startCoffer(config));
  // Before the banner: a supervisor may send SIGTERM as soon as it reads it.
  onStopSignal(async (signal) => {
    console.error(`coffer: ${signal} received, finishing in-flight requests`);
    await coffer.close();
    process.exit(0);
  });
  noteEndpoint(config.dataDir, config.dev, coffer.url);
  printBanner(coffer.url, coffer.credentialsPath, coffer.metricsUrl, config.rootKeyProvider === 'shamir');
}
