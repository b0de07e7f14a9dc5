import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Start, banner and stop of a server process, whether it runs alone or as a cluster's primary or worker. */

export async function startOrExit<T>(start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    console.error(`coffer: ${(error as Error).message}`);
    process.exit(1);
  }
}

export function printBanner(url: string, credentialsPath: string | undefined, metricsUrl?: string, shamir = false): void {
  const lines = [`Coffer is listening on ${url}`];
  if (metricsUrl) lines.push(`Metrics: ${metricsUrl}`);
  if (credentialsPath && existsSync(credentialsPath)) {
    lines.push(
      `Administrator credentials: ${credentialsPath} (profile "coffer")`,
      `Next, once: coffer configure --data-dir ${dirname(credentialsPath)} --endpoint-url ${url}`,
      'then: coffer secrets list (or the AWS CLI with --profile coffer)',
    );
  } else if (credentialsPath && shamir) {
    // A shamir server writes them once it has a root key: after `coffer operator init` and the first unseal.
    lines.push(`Sealed: the administrator credentials are written to ${credentialsPath} once it is initialized and unsealed (coffer operator status says which is next)`);
  } else if (credentialsPath) {
    lines.push(`No administrator credentials file in ${dirname(credentialsPath)} (written at the first start only, never in a backup): the key pair works wherever it was configured`);
  }
  // One write, so that whoever waits for "listening" also sees where the credentials are.
  console.error(lines.join('\n'));
}

/** The file in the data directory where a server notes the URL it listens on, for `coffer configure --data-dir`. */
export const ENDPOINT_FILE = 'endpoint';

/** Notes where the server listens in its data directory (not with --dev, which has none). */
export function noteEndpoint(dataDir: string, dev: boolean, url: string): void {
  if (dev) return;
  try {
    writeFileSync(join(dataDir, ENDPOINT_FILE), `${url}\n`, { mode: 0o600 });
  } catch {
    // Only a convenience for `coffer configure`: the banner says the same.
  }
}

/** Runs `stop` once, on the first SIGTERM or SIGINT. */
export function onStopSignal(stop: (signal: string) => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    void stop(signal);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

