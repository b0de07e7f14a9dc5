import { constants } from 'node:os';
import type { Command } from 'commander';
import type { Connection } from '../client/signed-json-request.js';
import { apiOptions } from './api-options.js';
import type { RunOptions } from './run/run-args.js';
import { EXIT, exitAs, forwardSignals, SpawnError, startChild, type RunningChild } from './run/child-process.js';
import { parseSecretSpec, type SecretSpec } from './run/secret-env.js';
import { childEnvironment, failed, readVariables, type RunPlan } from './run/run-plan.js';


const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * `coffer run [--secret SPEC]... -- COMMAND [ARG...]`: the command, with secrets in its
 * environment (or in a dotenv file), its signals passed on and its exit status returned.
 * `coffer run` prints no value, ever.
 */
export function registerRunCommand(program: Command): void {
  apiOptions(
    program
      .command('run')
      .description('run a command with secrets in its environment (read in one BatchGetSecretValue), its signals passed on, its exit status returned')
      .argument('[command...]', 'the command and its arguments, after --')
      .option('--secret <spec>', 'ID (a JSON object: each top-level key a variable), ID#KEY, NAME=ID or NAME=ID#KEY (repeatable)', collect, [])
      .option('--prefix <prefix>', 'put before the names made from keys and secret names', '')
      .option('--env-file <file>', 'write the variables to this dotenv file (mode 0600) instead of the environment')
      .option('--watch', "restart the command when one of its secrets changes (Coffer's change feed)")
      .option('--watch-signal <signal>', 'watch, and send the command this signal instead of restarting it (with --env-file, after rewriting the file)'),
  ).action(runCommand);
}

/** Runs `command` as `coffer run` with `opts`: exits with its status (or coffer run's own on failure). */
export async function runCommand(command: string[], opts: RunOptions): Promise<void> {
  let specs: SecretSpec[];
  try {
    specs = opts.secret.map(parseSecretSpec);
  } catch (error) {
    failed((error as Error).message);
  }
  if (command.length === 0 && opts.envFile === undefined) failed('give the command to run after --, or --env-file');
  if (opts.watchSignal !== undefined && !Object.hasOwn(constants.signals, opts.watchSignal)) failed(`--watch-signal ${opts.watchSignal}: not a signal (SIGHUP, SIGUSR1, …)`);
  const watch = opts.watch === true || opts.watchSignal !== undefined;
  if (watch && command.length === 0) failed('--watch needs a command');
  // Loaded only when there are secrets to read: `coffer run -- cmd` needs neither a server nor credentials.
  let settings: Promise<{ connection(): Promise<Connection> }> | undefined;
  const connection = async () => (await (settings ??= import('../client/aws-settings.js').then(({ AwsSettings }) => new AwsSettings(opts)))).connection();
  const plan: RunPlan = { specs, prefix: opts.prefix, envFile: opts.envFile, connection };
  // Watching, the feed's cursor is taken before the values are read: no change after them is missed.
  const watching = watch ? await (await import('./run/run-watch.js')).SecretWatch.start(plan, opts.watchSignal as NodeJS.Signals | undefined).catch((error: Error) => failed(error.message)) : undefined;
  let variables: Map<string, string>;
  let env: NodeJS.ProcessEnv;
  try {
    variables = await readVariables(plan);
    env = childEnvironment(plan, variables);
  } catch (error) {
    failed((error as Error).message);
  }
  if (command.length === 0) return;
  let child: RunningChild;
  try {
    child = await startChild(command[0]!, command.slice(1), env);
  } catch (error) {
    failed((error as Error).message, error instanceof SpawnError ? error.status : EXIT.failed);
  }
  forwardSignals(() => watching?.child()?.process ?? child.process);
  exitAs(watching ? await watching.supervise(child, command, variables) : await child.exit);
}
