// Running the machine's external clients (python3 + boto3, the AWS CLI) as
// child processes, with an environment that only the test controls.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { requiredInCi, type TestServer } from './coffer-server.js';

const CHILD_TIMEOUT_MS = 120_000;

/** A directory that is never created: AWS config and credentials paths inside it do not exist. */
const NOWHERE = join(tmpdir(), `coffer-no-aws-config-${randomUUID()}`);

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started at all (e.g. ENOENT). */
  spawnError?: Error;
}

export function run(command: string, args: string[], env: NodeJS.ProcessEnv, options: { cwd?: string; input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, cwd: options.cwd, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (options.input !== undefined) child.stdin!.end(options.input);
    // Our own timer rather than spawn's `timeout`, which outlives a child that failed to start.
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? CHILD_TIMEOUT_MS);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', (spawnError) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr, spawnError });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr: signal ? `${stderr}\n(killed by ${signal})` : stderr });
    });
  });
}

export function describeRun(what: string, r: RunResult): string {
  return `${what} exited with ${r.spawnError ? r.spawnError.message : r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

/**
 * The parent environment without any AWS_* variable, plus `extra`. A developer's
 * own profile, region, keys or endpoint must not leak into the children; the
 * config and credentials files point at paths that do not exist unless `extra`
 * names them, and the instance-metadata lookup is off so that nothing but what
 * a check sets can supply credentials or a region.
 */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_')) env[key] = value;
  }
  return {
    ...env,
    AWS_CONFIG_FILE: join(NOWHERE, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(NOWHERE, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '', // AWS CLI v2 (Debian's awscli): never start a pager
    ...extra,
  };
}

/** Why a tool is unusable, or undefined when it works. */
async function toolProblem(command: string, args: string[]): Promise<string | undefined> {
  const r = await run(command, args, cleanEnv({}));
  if (r.spawnError) return `${command}: ${r.spawnError.message}`;
  const lastLine = (r.stderr || r.stdout).trim().split('\n').pop();
  if (r.code !== 0) return `\`${command} ${args.join(' ')}\` exited with ${r.code}: ${lastLine}`;
  return undefined;
}

const probes = new Map<string, Promise<string | undefined>>();

/**
 * Whether an external tool is usable: probed once per process (`command args`
 * must exit 0). When it is not, the test is skipped, except under CI=true
 * where the absence fails it.
 */
export async function requireTool(t: TestContext, label: string, command: string, args: string[]): Promise<boolean> {
  const key = [command, ...args].join(' ');
  if (!probes.has(key)) probes.set(key, toolProblem(command, args));
  const reason = await probes.get(key);
  if (reason === undefined) return true;
  if (requiredInCi()) assert.fail(`${label} is required when CI=true but unusable: ${reason}`);
  t.skip(`${label} not installed: ${reason}`);
  return false;
}

/** The environment a client needs for a test server: endpoint, keys, region; no retries. */
export function serverEnv(server: TestServer): NodeJS.ProcessEnv {
  return cleanEnv({
    COFFER_ENDPOINT: server.url,
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_DEFAULT_REGION: server.region,
    AWS_MAX_ATTEMPTS: '1',
    AWS_RETRY_MODE: 'standard',
  });
}
