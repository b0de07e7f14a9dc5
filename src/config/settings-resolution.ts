import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { ConfigError } from './config.js';
import { environmentFlag, SERVER_SETTINGS, type ServerSetting, type SettingSource, type SettingValue } from './server-settings.js';

export interface ResolvedSettings {
  /** Each setting's effective value (undefined: not set anywhere, and no default). */
  values: Map<string, SettingValue | undefined>;
  /** Where each value came from. */
  sources: Map<string, SettingSource>;
  /** The environment variable a value came from, for those that did. */
  envNames: Map<string, string>;
}

/** `data-dir` → `dataDir`, the name commander gives the option's value. */
export function optionName(key: string): string {
  return key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * The settings of `coffer server`: a flag beats an environment variable, which beats the
 * configuration file, which beats the default.
 */
export function resolveSettings(flags: Record<string, unknown>, env: NodeJS.ProcessEnv, file?: { path: string; values: Record<string, unknown> }): ResolvedSettings {
  const fileValues = file ? checkFile(file.path, file.values) : new Map<string, SettingValue>();
  const resolved: ResolvedSettings = { values: new Map(), sources: new Map(), envNames: new Map() };
  for (const setting of SERVER_SETTINGS) {
    const flag = flags[optionName(setting.key)];
    const envName = setting.flagOnly ? undefined : setting.env?.find((name) => env[name] !== undefined && env[name] !== '');
    let value: SettingValue | undefined;
    let source: SettingSource;
    if (flag !== undefined && !(Array.isArray(flag) && flag.length === 0)) {
      [value, source] = [fromFlag(setting, flag), 'flag'];
    } else if (envName) {
      [value, source] = [fromEnvironment(setting, env[envName]!), 'environment'];
      resolved.envNames.set(setting.key, envName);
    } else if (fileValues.has(setting.key)) {
      [value, source] = [fileValues.get(setting.key), 'file'];
    } else {
      [value, source] = [typeof setting.default === 'function' ? setting.default(env) : setting.default, 'default'];
    }
    resolved.values.set(setting.key, value);
    resolved.sources.set(setting.key, source);
  }
  return resolved;
}

function fromFlag(setting: ServerSetting, value: unknown): SettingValue {
  if (setting.kind === 'number') return Number(value);
  if (setting.kind === 'boolean') return value === true;
  return value as SettingValue;
}

function fromEnvironment(setting: ServerSetting, value: string): SettingValue {
  switch (setting.kind) {
    case 'number':
      return Number(value);
    case 'boolean':
      return environmentFlag(value);
    case 'list':
      return value.split(',');
    default:
      return value;
  }
}

/** Reads a TOML configuration file: its top-level keys, as written. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the configuration file ${path}: ${(error as Error).message}`);
  }
  try {
    return parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`${path} is not valid TOML: ${(error as Error).message.split('\n')[0]}`);
  }
}

const KINDS: Record<ServerSetting['kind'], string> = { string: 'a string', number: 'a number', boolean: 'true or false', list: 'a list of strings' };

/** The file's values by key; an unknown key, or a value of the wrong type, is an error naming it. */
function checkFile(path: string, values: Record<string, unknown>): Map<string, SettingValue> {
  const out = new Map<string, SettingValue>();
  for (const [key, value] of Object.entries(values)) {
    const setting = SERVER_SETTINGS.find((candidate) => candidate.key === key);
    if (!setting) throw new ConfigError(`${path}: unknown key '${key}'${suggestion(key)}`);
    if (setting.flagOnly) throw new ConfigError(`${path}: ${key} is given only as the flag --${key}, for one start, so that it is never left on`);
    const checked = setting.kind === 'list' && typeof value === 'string' ? [value] : value;
    const ok =
      setting.kind === 'list'
        ? Array.isArray(checked) && checked.every((item) => typeof item === 'string')
        : typeof checked === setting.kind;
    if (!ok) throw new ConfigError(`${path}: ${key} must be ${KINDS[setting.kind]}, not ${JSON.stringify(value)}`);
    out.set(key, checked as SettingValue);
  }
  return out;
}

/** ", did you mean 'data-dir'?" for a key a setting's name is close to (data_dir, dataDir, datadir). */
function suggestion(key: string): string {
  const plain = (name: string) => name.toLowerCase().replace(/[-_]/g, '');
  const near = SERVER_SETTINGS.find((setting) => !setting.flagOnly && plain(setting.key) === plain(key));
  return near ? `, did you mean '${near.key}'?` : ` (the keys are the flags of coffer server without their dashes: see coffer server --help)`;
}
