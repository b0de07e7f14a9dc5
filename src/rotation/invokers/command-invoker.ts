import { spawn } from 'node:child_process';
import type { StepInvoker } from '../rotation-function.js';
import { CommandLineError, splitCommandLine } from './command-line.js';
import type { CommandSandbox } from './command-sandbox.js';
import { checkTimeout, printable, stepFailure } from './invoker-support.js';
import { lastLines, OutputTail } from './output-tail.js';

export interface CommandInvokerOptions {
  /** Program and arguments, split as sh would for simple quoting (command-line.ts); no shell runs. */
  command: string;
  timeoutMs: number;
  /** The function's variables (endpoint, region, its short-lived credentials); the only ones besides INHERITED. */
  env: Record<string, string>;
  /** What contains the program (command-sandbox.ts); without one it runs as the server's user, as tests of the invoker alone do. */
  sandbox?: CommandSandbox;
}

/** All the child gets from Coffer's own environment: enough to find programs and pick a locale. */
const INHERITED = ['PATH', 'HOME', 'LANG'] as const;
const OUTPUT_LIMIT_BYTES = 64 * 1024;
const TAIL_LINES = 20;
const TAIL_CHARS = 4000;
/** How long the output pipes may stay open after the process and its group are gone. */
const CLOSE_GRACE_MS = 1000;
/** Variables whose values never appear in an error, even if the function prints them. */
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|KEY/i;

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  spawnError?: Error;
  stdout: OutputTail;
  stderr: OutputTail;
}

/**
 * Runs the command once per step with the event as JSON on stdin. Exit status 0
 * completes the step; another status, a signal or the timeout fails it, with the
 * end of stderr in the error. The command runs in its own process group, and the
 * group is killed when the step ends, so nothing it started outlives the step.
 */
export function commandInvoker(options: CommandInvokerOptions): StepInvoker {
  const [file, ...args] = splitCommandLine(options.command);
  if (file === undefined) throw new CommandLineError('the command line names no program');
  checkTimeout(options.timeoutMs);
  const env = childEnvironment(options.env);
  const hidden = Object.entries(options.env)
    .filter(([name, value]) => SECRET_NAME.test(name) && value.length >= 8)
    .map(([, value]) => value);

  return async (event) => {
    let target: Spawned;
    try {
      target = options.sandbox ? options.sandbox(file, args) : { file, args, env: {} };
    } catch (error) {
      throw stepFailure(event.Step, (error as Error).message);
    }
    const result = await run({ ...target, env: { ...env, ...target.env } }, JSON.stringify(event), options.timeoutMs);
    if (result.code === 0 && !result.timedOut) return;
    throw stepFailure(event.Step, `${ending(file, result, options.timeoutMs)}${outputTail(result, hidden)}`);
  };
}

function childEnvironment(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

/** The program as started: perhaps a sandbox running it, as another user. */
interface Spawned {
  file: string;
  args: string[];
  env: Record<string, string>;
  uid?: number;
  gid?: number;
  cwd?: string;
}

function run({ file, args, env, uid, gid, cwd }: Spawned, input: string, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    // detached: a new process group, so that the whole group can be killed, grandchildren included.
    const child = spawn(file, args, { env, stdio: 'pipe', detached: true, cwd, ...(uid === undefined ? {} : { uid, gid }) });
    const result: RunResult = { code: null, signal: null, timedOut: false, stdout: new OutputTail(OUTPUT_LIMIT_BYTES), stderr: new OutputTail(OUTPUT_LIMIT_BYTES) };
    let graceTimer: NodeJS.Timeout | undefined;
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // ESRCH: the group has no process left.
      }
    };
    const settle = (): void => {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      resolve(result);
    };
    const timer = setTimeout(() => {
      result.timedOut = true;
      killGroup();
    }, timeoutMs);

    child.stdout.on('data', (chunk: Buffer) => result.stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => result.stderr.push(chunk));
    // A command may exit without reading its event; the write then fails with EPIPE, which is not the step's failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);

    child.once('error', (err) => {
      result.spawnError = err;
      settle();
    });
    child.once('exit', (code, signal) => {
      result.code = code;
      result.signal = signal;
      killGroup();
      // A process that left the group (setsid) could still hold the pipes open.
      graceTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        settle();
      }, CLOSE_GRACE_MS);
    });
    child.once('close', settle);
  });
}

function ending(file: string, result: RunResult, timeoutMs: number): string {
  if (result.spawnError) return `could not start ${file}: ${result.spawnError.message}`;
  if (result.timedOut) return `${file} did not finish within ${timeoutMs} ms and was killed with its process group`;
  if (result.signal) return `${file} was killed by ${result.signal}`;
  return `${file} exited with status ${result.code}`;
}

/** The end of stderr, or of stdout when the command wrote nothing to stderr. */
function outputTail(result: RunResult, hidden: string[]): string {
  for (const [name, tail] of [['stderr', result.stderr], ['stdout', result.stdout]] as const) {
    const lines = lastLines(redact(printable(tail.text(), true), hidden), TAIL_LINES);
    if (lines.length > 0) return `; last lines of ${name}:\n${lines.join('\n').slice(-TAIL_CHARS)}`;
  }
  return '; it wrote no output';
}

function redact(text: string, hidden: string[]): string {
  return hidden.reduce((out, value) => out.split(value).join('[redacted]'), text);
}
