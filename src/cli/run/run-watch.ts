import { ChangeFollower, NoChangeFeedError, type SecretChangeEvent } from '../../client/change-follower.js';
import { childEnvironment, failed, readVariables, type RunPlan } from './run-plan.js';
import { answers } from './batch-get.js';
import { startChild, stopChild, SpawnError, type ChildExit, type RunningChild } from './child-process.js';

const sameVariables = (a: Map<string, string>, b: Map<string, string>) => a.size === b.size && [...a].every(([name, value]) => b.get(name) === value);

/**
 * `--watch`: follows Coffer's change feed from before the secrets are first read. When a change
 * names one of them (or the feed lost track), they are read again; if a variable changed, the
 * command is restarted (SIGTERM, SIGKILL after 10 s) with the new values, or sent the signal
 * (after the env file is rewritten). A change that cannot be applied (the secrets cannot be
 * read, the file written) leaves the command as it is, and says so.
 */
export class SecretWatch {
  private current?: RunningChild;
  private pending = false;
  private wake?: () => void;
  private readonly follower: ChangeFollower;

  private constructor(
    private readonly plan: RunPlan,
    private readonly signal: NodeJS.Signals | undefined,
  ) {
    const ours = (change: SecretChangeEvent) => plan.specs.some((spec) => answers(change, spec.secretId));
    this.follower = new ChangeFollower(plan.connection, { changes: (changes) => changes.some(ours) && this.changed(), reset: () => this.changed() });
  }

  /** Starts following: resolves once the feed's cursor is taken. */
  static async start(plan: RunPlan, signal?: NodeJS.Signals): Promise<SecretWatch> {
    const watch = new SecretWatch(plan, signal);
    try {
      await watch.follower.start();
    } catch (error) {
      if (error instanceof NoChangeFeedError) throw new Error(`--watch follows Coffer's change feed, and ${error.message}`);
      throw error;
    }
    return watch;
  }

  /** The child running now. */
  child(): RunningChild | undefined {
    return this.current;
  }

  /** Keeps the command running with current secrets until it ends by itself; resolves with that end. */
  async supervise(first: RunningChild, command: string[], variables: Map<string, string>): Promise<ChildExit> {
    this.current = first;
    try {
      for (;;) {
        const next = await Promise.race([this.current.exit, new Promise<'changed'>((resolve) => (this.pending ? resolve('changed') : (this.wake = () => resolve('changed'))))]);
        this.wake = undefined;
        if (next !== 'changed') return next;
        this.pending = false;
        try {
          variables = await this.apply(command, variables);
        } catch (error) {
          if (error instanceof SpawnError) failed(error.message, error.status);
          console.error(`coffer run: a secret changed, but ${(error as Error).message}; the command keeps running`);
        }
      }
    } finally {
      await this.follower.stop();
    }
  }

  private changed(): void {
    this.pending = true;
    this.wake?.();
  }

  /** Reads the secrets again and restarts or signals the command if a variable changed; returns the variables now. */
  private async apply(command: string[], variables: Map<string, string>): Promise<Map<string, string>> {
    const fresh = await readVariables(this.plan);
    if (sameVariables(fresh, variables)) return variables;
    if (this.signal) {
      childEnvironment(this.plan, fresh);
      console.error(`coffer run: a secret changed: sending ${this.signal}`);
      this.current!.process.kill(this.signal);
      return fresh;
    }
    console.error('coffer run: a secret changed: restarting the command');
    await stopChild(this.current!);
    this.current = await startChild(command[0]!, command.slice(1), childEnvironment(this.plan, fresh));
    return fresh;
  }
}
