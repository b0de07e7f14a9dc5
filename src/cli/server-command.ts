import { Option, type Command } from 'commander';
import { promptSecret } from './prompt.js';
import { ConfigError, type CofferConfig } from '../config/config.js';
import { SERVER_SETTINGS, type ServerSetting } from '../config/server-settings.js';
import { readConfigFile, resolveSettings } from '../config/settings-resolution.js';
import { configFromSettings, printableConfig } from '../config/server-config.js';

const env = process.env;

/** The flag of a setting, its help naming the environment variable and the default. */
function optionOf(setting: ServerSetting): Option {
  const notes = [
    ...(setting.flagOnly ? [] : (setting.env ?? [])),
    ...(setting.default !== undefined && typeof setting.default !== 'function' && setting.default !== false && !(Array.isArray(setting.default) && !setting.default.length)
      ? [`default ${String(setting.default)}`]
      : []),
  ];
  const option = new Option(`--${setting.key}${setting.arg ? ` ${setting.arg}` : ''}`, `${setting.description}${notes.length ? ` (${notes.join('; ')})` : ''}`);
  return setting.kind === 'list' ? option.argParser((value: string, previous: string[] = []) => [...previous, value]) : option;
}

export function registerServerCommand(program: Command): void {
  const server = program
    .command('server')
    .description('run the Coffer server')
    .option('--config <file>', 'read settings from this TOML file: its keys are the flags without their dashes (COFFER_CONFIG)')
    .option('--print-config', 'print the effective settings (flags > environment > file > defaults; secrets masked) and exit');
  for (const setting of SERVER_SETTINGS) server.addOption(optionOf(setting));
  server.action(async (opts: Record<string, unknown> & { config?: string; printConfig?: boolean }) => {
    let config: CofferConfig;
    const configFile = opts.config ?? (env.COFFER_CONFIG || undefined);
    try {
      const settings = resolveSettings(opts, env, configFile ? { path: configFile, values: readConfigFile(configFile) } : undefined);
      config = configFromSettings(settings, env);
      if (opts.printConfig) {
        process.stdout.write(printableConfig(settings, env, configFile));
        return;
      }
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(`coffer: ${error.message}`);
      process.exit(2);
    }
    if (config.rootKeyProvider === 'passphrase' && !config.rootPassphrase && !config.dev) {
      config.rootPassphrase = await promptSecret('Root key passphrase: ');
    }
    // The server's code is loaded only to run it: `coffer server --help` stays quick.
    const { runServer } = await import('./server-run.js');
    await runServer(config);
  });
}
