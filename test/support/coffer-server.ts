import { spawn, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = join(PROJECT_ROOT, 'bin/coffer.js');

/**
 * How long a server may take to start: generous, since on a busy machine (both cores taken by
 * other work) a start that takes a second when quiet can take thirty. COFFER_TEST_START_TIMEOUT_MS changes it.
 */
const START_TIMEOUT_MS = Number(process.env.COFFER_TEST_START_TIMEOUT_MS ?? 90_000);
/** How long a stopping server may take to finish before it is killed. */
const STOP_TIMEOUT_MS = 30_000;

/**
 * Every server child this test process started and that has not exited: killed when the process
 * ends, however it ends (a failed assertion, a timeout, a signal), so none outlives its test file
 * or keeps it from exiting.
 */
const running = new Set<ChildProcess>();
function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
}
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  });
}

export interface TestServer {
  url: string;
  dataDir: string;
  logFile: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  process: ChildProcess;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

export interface StartOptions {
  dataDir?: string;
  args?: string[];
  env?: Record<string, string>;
}

export function tempDir(prefix = 'coffer-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A data dir for another node of `first`'s deployment: its own, holding copies of `first`'s root key files and credentials. */
export function otherNodeDataDir(first: TestServer): string {
  const dir = join(tempDir(), 'data');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const file of readdirSync(first.dataDir)) if (/^(root-key|credentials)/.test(file)) copyFileSync(join(first.dataDir, file), join(dir, file));
  return dir;
}

/** `count` nodes of one deployment on `storage`: the first, then the others with its root key and credentials (see otherNodeDataDir); each is pushed to `started` as it starts. */
export async function startNodes(storage: string, count: number, started: TestServer[], args: string[] = []): Promise<TestServer[]> {
  const first = await startServer({ args: ['--storage', storage, ...args] });
  const nodes = [first];
  started.push(first);
  for (let i = 1; i < count; i++) {
    const node = await startServer({ dataDir: otherNodeDataDir(first), args: ['--storage', storage, ...args] });
    nodes.push(node);
    started.push(node);
  }
  return nodes;
}

/** Starts `coffer server` as a child process on a free loopback port and waits until it listens. */
export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? join(tempDir(), 'data');
  const logFile = join(dirname(dataDir), `server-${Date.now()}.log`);
  const child = spawn(process.execPath, [BIN, 'server', '--port', '0', '--data-dir', dataDir, '--log-file', logFile, ...(options.args ?? [])], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  // A server a test forgot (or could not) stop does not keep the test file running: once the
  // tests are done the process exits, and its exit handler kills the server. Waiting for it
  // to exit (stop, kill) holds the process open again.
  const stderrPipe = child.stderr as unknown as { ref(): void; unref(): void };
  child.unref();
  stderrPipe.unref();
  const awaitExit = () => {
    child.ref();
    stderrPipe.ref();
    return exited;
  };
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  const url = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      // Not left running: it would keep the test file alive.
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${START_TIMEOUT_MS / 1000} s:\n${stderr}`));
    }, START_TIMEOUT_MS);
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
      const m = /listening on (\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolvePromise(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${stderr}`));
    });
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  // A sealed (shamir) server writes its credentials only once first unsealed.
  const credentialsFile = join(dataDir, 'credentials');
  const creds = !options.args?.includes('--dev') && existsSync(credentialsFile) ? readCredentials(credentialsFile) : undefined;
  return {
    url,
    dataDir,
    logFile,
    accessKeyId: creds?.accessKeyId ?? 'AKIADEVELOPMENTKEY00',
    secretAccessKey: creds?.secretAccessKey ?? 'dev-secret',
    region: 'us-east-1',
    process: child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return awaitExit();
      child.kill('SIGTERM');
      const deadline = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      try {
        return await awaitExit();
      } finally {
        clearTimeout(deadline);
      }
    },
    async kill() {
      child.kill('SIGKILL');
      await awaitExit();
    },
  };
}

/**
 * The running server's log once it holds a line matching `pattern`: the server writes its log
 * in batches (at least every 250 ms), so a line may not be in the file yet when it is logged.
 */
export async function loggedLine(server: TestServer, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const log = existsSync(server.logFile) ? readFileSync(server.logFile, 'utf8') : '';
    if (pattern.test(log) || Date.now() > deadline) return log;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function readCredentials(path: string): { accessKeyId: string; secretAccessKey: string } {
  const text = readFileSync(path, 'utf8');
  return {
    accessKeyId: /aws_access_key_id = (\S+)/.exec(text)![1]!,
    secretAccessKey: /aws_secret_access_key = (\S+)/.exec(text)![1]!,
  };
}

/** SDK client options for a test server. */
export function clientConfig(server: TestServer, region = server.region) {
  return {
    endpoint: server.url,
    region,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    maxAttempts: 1,
  };
}

/** Whether an external tool must be present: under CI=true a missing tool is a failure, not a skip. */
export function requiredInCi(): boolean {
  return process.env.CI === 'true';
}

/**
 * One server and SDK client for a whole test file: started before its tests,
 * and after them the client closed and the server stopped, which must exit cleanly.
 */
export function sharedServer(options: StartOptions = {}): { server: TestServer; client: SecretsManagerClient } {
  const shared = {} as { server: TestServer; client: SecretsManagerClient };
  before(async () => {
    shared.server = await startServer(options);
    shared.client = new SecretsManagerClient(clientConfig(shared.server));
  });
  after(async () => {
    shared.client.destroy();
    assert.equal(await shared.server.stop(), 0);
    // A data directory of startServer's own making goes with the server.
    if (!options.dataDir) rmSync(dirname(shared.server.dataDir), { recursive: true, force: true });
  });
  return shared;
}
