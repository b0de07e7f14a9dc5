import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, type TestServer } from './coffer-server.js';
import { cleanEnv } from './child-process.js';
import { freePort } from './private-postgres.js';

export interface TestAgent {
  url: string;
  /** The SSRF token, and the file AWS_TOKEN names it in. */
  token: string;
  tokenFile: string;
  process: ChildProcess;
  stderr(): string;
  stop(): Promise<number | null>;
}

/**
 * Starts `coffer agent` on a free port for `server`, found as the AWS CLI finds it (the
 * administrator's profile), with its SSRF token in a file named by AWS_TOKEN=file://…
 */
export async function startAgent(server: TestServer, args: string[] = [], env: Record<string, string> = {}): Promise<TestAgent> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-agent-'));
  const token = `token-${Math.random().toString(36).slice(2)}`;
  const tokenFile = join(dir, 'awssmatoken');
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--', BIN, 'agent', '--port', String(port), '--log-file', join(dir, 'agent.log'), ...args],
    {
      env: cleanEnv({
        AWS_ENDPOINT_URL: server.url,
        AWS_SHARED_CREDENTIALS_FILE: join(server.dataDir, 'credentials'),
        AWS_PROFILE: 'coffer',
        AWS_TOKEN: `file://${tokenFile}`,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...env,
      }),
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await Promise.race([
    new Promise<string>((resolve) => {
      const check = () => {
        const m = /listening on (\S+)/.exec(stderr);
        if (m) resolve(m[1]!);
        else setTimeout(check, 20);
      };
      check();
    }),
    exited.then((code) => Promise.reject(new Error(`coffer agent exited with ${code}:\n${stderr}`))),
  ]);
  return {
    url,
    token,
    tokenFile,
    process: child,
    stderr: () => stderr,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}
