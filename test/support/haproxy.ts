// HAProxy with the example config (examples/haproxy/coffer.cfg) in front of Coffer nodes.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, type TestServer } from './coffer-server.js';
import { freePort } from './private-postgres.js';

const CONFIG = join(PROJECT_ROOT, 'examples/haproxy/coffer.cfg');
// Debian installs it in /usr/sbin, which a user's PATH may not hold.
const HAPROXY = existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy';

export const haproxyInstalled = (): boolean => spawnSync(HAPROXY, ['-v']).error === undefined;

export interface Haproxy {
  url: string;
  stop(): Promise<void>;
}

/** HAProxy with the example config, its addresses from the environment; resolves once /health answers through it. */
export async function startHaproxy(nodes: TestServer[]): Promise<Haproxy> {
  const listen = `127.0.0.1:${await freePort()}`;
  const env: Record<string, string> = { ...process.env, COFFER_LISTEN: listen } as Record<string, string>;
  nodes.forEach((node, i) => (env[`COFFER_NODE${i + 1}`] = new URL(node.url).host));
  let stderr = '';
  const child = spawn(HAPROXY, ['-db', '-f', CONFIG], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise((r) => child.once('exit', r));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  const url = `http://${listen}`;
  for (let waited = 0; ; waited += 100) {
    if (child.exitCode !== null) assert.fail(`haproxy exited with ${child.exitCode}:\n${stderr}`);
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) return { url, stop };
    if (waited > 15_000) {
      await stop();
      assert.fail(`haproxy did not answer /health:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
