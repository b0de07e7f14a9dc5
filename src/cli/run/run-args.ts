/** `coffer run`'s options, as commander would parse them. */
export interface RunOptions {
  secret: string[];
  prefix: string;
  envFile?: string;
  watch?: boolean;
  watchSignal?: string;
  endpointUrl?: string;
  region?: string;
  profile?: string;
}

const VALUED: Record<string, Exclude<keyof RunOptions, 'watch'>> = {
  '--secret': 'secret',
  '--prefix': 'prefix',
  '--env-file': 'envFile',
  '--watch-signal': 'watchSignal',
  '--endpoint-url': 'endpointUrl',
  '--region': 'region',
  '--profile': 'profile',
};

/**
 * Parses `coffer run`'s arguments without commander, whose loading is a good part of what
 * `coffer run` may add to a command's start. Undefined for anything but a plain run (help, an
 * unknown option, a value missing), which commander then parses and reports.
 */
export function parseRunArgs(args: string[]): { command: string[]; options: RunOptions } | undefined {
  const options: RunOptions = { secret: [], prefix: '' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return { command: args.slice(i + 1), options };
    if (!arg.startsWith('-')) return { command: args.slice(i), options };
    if (arg === '--watch') {
      options.watch = true;
      continue;
    }
    const equals = arg.indexOf('=');
    const name = equals < 0 ? arg : arg.slice(0, equals);
    const key = VALUED[name];
    const value = equals < 0 ? args[++i] : arg.slice(equals + 1);
    if (!key || value === undefined) return undefined;
    if (key === 'secret') options.secret.push(value);
    else options[key] = value;
  }
  return { command: [], options };
}
