import { ChangeFollower, NoChangeFeedError, type SecretChangeEvent } from '../../client/change-follower.js';
import { childEnvironment, failed, readVariables, type RunPlan } from './run-plan.js';
import { answers } from './batch-get.js';
import { startChild, stopChild, SpawnError, type ChildExit, type RunningChild } from './child-process.js';

export interface Watching {
  /** The child running now. */
  child(): RunningChild | undefined;
  /** Keeps the command running with current secrets until it ends by itself; resolves with that end. */
  supervise(first: RunningChild, command: string[], variables: Map<string, string>): Promise<ChildExit>;
}

const sameVariables = (a: Map<string, string>, b: Map<string, string>) => a.size === b.size && [...a].every(([name, value]) => b.get(name) === value);

/**
 * `--watch`: follows Coffer's change feed from before the secrets are first read. When a change
 * names one of them (or the feed lost track), they are read again; if a variable changed, the
 * command is restarted (SIGTERM, SIGKILL after 10 s) with the new values, or sent `signal`
 * (after the env file is rewritten). A read that fails leaves the command as it is, and says so.
 */
export async function watchSecrets(plan: RunPlan, signal?: NodeJS.Signals): Promise<Watching> {
  let wake: (() => void) | undefined;
  let pending = false;
  const changed = () => {
    pending = true;
    wake?.();
  };
  const ours = (change: SecretChangeEvent) => plan.specs.some((spec) => answers(change, spec.secretId));
  const follower = new ChangeFollower(plan.connection, { changes: (changes) => changes.some(ours) && changed(), reset: changed });
  try {
    await follower.start();
  } catch (error) {
    if (error instanceof NoChangeFeedError) throw new Error(`--watch follows Coffer's change feed, and ${error.message}`);
    throw error;
  }
  let current: RunningChild | undefined;
  return {
    child: () => current,
    async supervise(first, command, variables) {
      current = first;
      try {
        for (;;) {
          const ended = current.exit;
          const next = await Promise.race([ended, new Promise<'changed'>((resolve) => (pending ? resolve('changed') : (wake = () => resolve('changed'))))]);
          wake = undefined;
          if (next !== 'changed') return next;
          pending = false;
          let fresh: Map<string, string>;
          try {
            fresh = await readVariables(plan);
          } catch (error) {
            console.error(`coffer run: a secret changed, but reading the secrets failed (${(error as Error).message}); the command keeps running`);
            continue;
          }
          if (sameVariables(fresh, variables)) continue;
          variables = fresh;
          if (signal) {
            childEnvironment(plan, variables);
            console.error(`coffer run: a secret changed: sending ${signal}`);
            current.process.kill(signal);
            continue;
          }
          console.error('coffer run: a secret changed: restarting the command');
          await stopChild(current);
          try {
            current = await startChild(command[0]!, command.slice(1), childEnvironment(plan, variables));
          } catch (error) {
            failed((error as Error).message, error instanceof SpawnError ? error.status : undefined);
          }
        }
      } finally {
        await follower.stop();
      }
    },
  };
}
