import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

/** How a child ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running child: its process and its end. */
export interface RunningChild {
  process: ChildProcess;
  exit: Promise<ChildExit>;
}

/** `coffer run`'s own exit statuses where it could not run the command, as env(1) and timeout(1) use them. */
export const EXIT = { failed: 125, notExecutable: 126, notFound: 127 } as const;

/** A command that could not be started, with the exit status that says why. */
export class SpawnError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Starts the command with its standard streams as ours; resolves once it runs. */
export function startChild(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunningChild> {
  const child = spawn(command, args, { stdio: 'inherit', env });
  const exit = new Promise<ChildExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve({ process: child, exit }));
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') reject(new SpawnError(`${command}: command not found`, EXIT.notFound));
      else reject(new SpawnError(`${command}: ${error.message}`, EXIT.notExecutable));
    });
  });
}

/** Signals passed on to the child. */
const FORWARDED: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];
/** What a terminal's keys send to its whole foreground process group: the child has had them already. */
const FROM_TERMINAL = new Set<NodeJS.Signals>(['SIGINT', 'SIGQUIT']);

/**
 * Passes the signals this process gets on to the child `current()` names. Ctrl-C and Ctrl-\ on
 * a terminal reach the child from the terminal itself (it is in the foreground process group),
 * so they are passed on only when standard output is not a terminal (as doppler run does);
 * meanwhile this process waits for the child rather than die of them. Returns a way to stop.
 */
export function forwardSignals(current: () => ChildProcess | undefined): () => void {
  const handlers = FORWARDED.map((signal) => {
    const handler = () => {
      if (FROM_TERMINAL.has(signal) && process.stdout.isTTY) return;
      current()?.kill(signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}

/** Ends this process as the child ended: with its exit status, or killed by the same signal. */
export function exitAs({ code, signal }: ChildExit): void {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    // A signal this process cannot die of here: the shell's convention for it.
    process.exit(128 + (constants.signals[signal] ?? 0));
  }
  process.exit(code ?? EXIT.failed);
}

/** Stops a child: SIGTERM, then SIGKILL if it has not ended within `graceMs`. */
export async function stopChild(child: RunningChild, graceMs = 10_000): Promise<void> {
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  await child.exit;
  clearTimeout(timer);
}
