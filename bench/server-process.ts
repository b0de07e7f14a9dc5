import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: this file runs as dist/bench/server-process.js. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const COFFER_BIN = join(PROJECT_ROOT, 'bin/coffer.js');

export interface ServerProcess {
  url: string;
  /** `host:port`, as the Host header carries it. */
  hostHeader: string;
  pid: number;
  child: ChildProcess;
  stderr(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export interface CofferProcess extends ServerProcess {
  dataDir: string;
  logFile: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/** Spawns `node <nodeArgs> <script> <args>` and waits for "listening on <url>" on stderr. */
export async function spawnServer(script: string, args: string[], options: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code, signal) => r(code ?? (signal ? 128 : null))));
  const url = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within ${options.timeoutMs ?? 30_000} ms:\n${stderr}`)), options.timeoutMs ?? 30_000);
    const onData = () => {
      const m = /listening on (\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        child.stderr!.off('data', onData);
        resolvePromise(m[1]!);
      }
    };
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before listening:\n${stderr}`));
    });
  });
  return {
    url,
    hostHeader: new URL(url).host,
    pid: child.pid!,
    child,
    stderr: () => stderr,
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** `coffer server --port 0 --data-dir <dataDir> --log-file <logFile>` as a child process, with its administrator key. */
export async function startCofferProcess(options: { dataDir: string; logFile: string; nodeArgs?: string[]; extraArgs?: string[] }): Promise<CofferProcess> {
  const server = await spawnServer(COFFER_BIN, ['server', '--port', '0', '--data-dir', options.dataDir, '--log-file', options.logFile, ...(options.extraArgs ?? [])], {
    nodeArgs: options.nodeArgs,
  });
  const creds = readCredentials(join(options.dataDir, 'credentials'));
  return { ...server, dataDir: options.dataDir, logFile: options.logFile, ...creds, region: 'us-east-1' };
}

/** The administrator key from the shared-credentials file the server writes on first start. */
export function readCredentials(path: string): { accessKeyId: string; secretAccessKey: string } {
  const text = readFileSync(path, 'utf8');
  const id = /aws_access_key_id = (\S+)/.exec(text);
  const secret = /aws_secret_access_key = (\S+)/.exec(text);
  if (!id || !secret) throw new Error(`no access key in ${path}`);
  return { accessKeyId: id[1]!, secretAccessKey: secret[1]! };
}

/** Resident set size (and peak) of a process in MiB, from /proc/<pid>/status. */
export function processMemory(pid: number): { rssMiB: number; peakRssMiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMiB: round(kb('VmRSS') / 1024, 1), peakRssMiB: round(kb('VmHWM') / 1024, 1) };
  } catch {
    return undefined;
  }
}

/** The numeric fields of a /proc stat line after the command name (which may hold spaces), from field 3 (state) on. */
function statFields(path: string): number[] {
  const stat = readFileSync(path, 'utf8');
  return stat.slice(stat.lastIndexOf(') ') + 2).split(' ').map(Number);
}

/**
 * CPU time from /proc/<pid>/stat in ms (clock ticks of 10 ms): the process's own (utime + stime)
 * and that of its children it has waited for (cutime + cstime), with its parent's pid.
 */
export function processCpu(pid: number): { ppid: number; ownMs: number; reapedChildrenMs: number } {
  const fields = statFields(`/proc/${pid}/stat`);
  return { ppid: fields[1]!, ownMs: (fields[11]! + fields[12]!) * 10, reapedChildrenMs: (fields[13]! + fields[14]!) * 10 };
}

/** utime + stime of each thread of a process, in ms, by thread id (the main thread's id is the pid). */
export function threadCpuMs(pid: number): Map<number, number> {
  const times = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const fields = statFields(`/proc/${pid}/task/${tid}/stat`);
      times.set(Number(tid), (fields[11]! + fields[12]!) * 10);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return times;
}

/** utime + stime of a process, in ms. */
export const processCpuMs = (pid: number): number => processCpu(pid).ownMs;

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
