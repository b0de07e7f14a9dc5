/** `coffer ...` as a person runs it: with a home of its own (the AWS shared files there), from any directory. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BIN, tempDir } from './coffer-server.js';
import { cleanEnv, describeRun, run, type RunResult } from './child-process.js';

export interface CofferCli {
  /** Where the profile files are (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE). */
  configFile: string;
  credentialsFile: string;
  /** Runs `coffer args...` from the file system's root, with `env` added. */
  run(args: string[], options?: { env?: Record<string, string>; input?: string }): Promise<RunResult & { describe(): string }>;
  /** A run that must exit 0; its standard output. */
  ok(args: string[], options?: { env?: Record<string, string>; input?: string }): Promise<string>;
  /** A run that must exit 1 with one line on stderr matching `message`. */
  fails(args: string[], message: RegExp, options?: { env?: Record<string, string>; input?: string }): Promise<void>;
}

export function cofferCli(): CofferCli {
  const home = tempDir('coffer-home-');
  const configFile = join(home, '.aws', 'config');
  const credentialsFile = join(home, '.aws', 'credentials');
  const cli: CofferCli = {
    configFile,
    credentialsFile,
    async run(args, options = {}) {
      const env = cleanEnv({ HOME: home, AWS_CONFIG_FILE: configFile, AWS_SHARED_CREDENTIALS_FILE: credentialsFile, ...options.env });
      const result = await run(process.execPath, [BIN, ...args], env, { cwd: '/', input: options.input });
      return { ...result, describe: () => describeRun(`coffer ${args.join(' ')}`, result) };
    },
    async ok(args, options) {
      const result = await cli.run(args, options);
      assert.equal(result.code, 0, result.describe());
      return result.stdout;
    },
    async fails(args, message, options) {
      const result = await cli.run(args, options);
      assert.equal(result.code, 1, result.describe());
      assert.equal(result.stderr.trim().split('\n').length, 1, result.describe());
      assert.match(result.stderr, message, result.describe());
    },
  };
  return cli;
}
