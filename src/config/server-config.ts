import { storageOption, validateConfig, type CofferConfig } from './config.js';
import { SERVER_SETTINGS, type SettingValue } from './server-settings.js';
import type { ResolvedSettings } from './settings-resolution.js';

/** The server's configuration from its resolved settings (and the passphrase, which only the environment gives). */
export function configFromSettings(settings: ResolvedSettings, env: NodeJS.ProcessEnv): CofferConfig {
  const get = (key: string) => settings.values.get(key);
  const str = (key: string) => get(key) as string | undefined;
  const num = (key: string) => get(key) as number;
  const bool = (key: string) => get(key) === true;
  return validateConfig({
    host: str('host')!,
    port: num('port'),
    dataDir: str('data-dir')!,
    accountId: str('account-id')!,
    region: str('region')!,
    partition: 'aws',
    tlsCert: str('tls-cert'),
    tlsKey: str('tls-key'),
    allowInsecureHttp: bool('allow-insecure-http'),
    dev: bool('dev'),
    logLevel: str('log-level')!,
    logFile: str('log-file'),
    rootKeyProvider: str('root-key-provider') as CofferConfig['rootKeyProvider'],
    rootPassphrase: env.COFFER_ROOT_PASSPHRASE || undefined,
    rootKms: { keyId: str('root-kms-key-id'), endpoint: str('root-kms-endpoint'), region: str('root-kms-region') },
    sweepIntervalSeconds: num('sweep-interval'),
    clockSteadySeconds: num('clock-steady'),
    runnerLeaseTtlSeconds: num('runner-lease-ttl'),
    auditFiles: get('audit-file') as string[],
    auditSinkTimeoutMs: num('audit-sink-timeout'),
    auditDigestIntervalSeconds: num('audit-digest-interval'),
    auditDigestDir: str('audit-digest-dir'),
    auditRetentionDays: num('audit-retention-days'),
    auditArchiveDir: str('audit-archive-dir'),
    workers: num('workers'),
    acceptDataLoss: bool('accept-data-loss'),
    limits: {
      maxConnections: num('max-connections'),
      maxPipelinedRequests: num('max-pipelined-requests'),
      headerTimeoutMs: num('header-timeout') * 1000,
      requestTimeoutMs: num('request-timeout') * 1000,
      idleTimeoutMs: num('idle-timeout') * 1000,
    },
    rotationUser: str('rotation-user')!,
    allowRotationAsServerUser: bool('allow-rotation-as-server-user'),
    storage: storageOption(str('storage'), str('storage-ca'), str('storage-password-file')),
    metrics: get('metrics-port') === undefined
      ? undefined
      : { port: num('metrics-port'), host: str('metrics-host')!, tokenFile: str('metrics-token-file'), allowPublic: bool('allow-public-metrics') },
  });
}

/** A secret setting as --print-config shows it: a URL keeps all but its password; anything else is masked whole. */
function masked(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '****';
    return url.toString();
  } catch {
    return /^sqlite$/i.test(value) ? value : '****';
  }
}

function toml(value: SettingValue): string {
  if (Array.isArray(value)) return `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * The effective settings as a TOML file `--config` would take, each with where it came from;
 * secrets masked. Settings that are not set are listed as comments.
 */
export function printableConfig(settings: ResolvedSettings, env: NodeJS.ProcessEnv, configFile?: string): string {
  const lines = [
    '# The effective settings of coffer server: a flag beats an environment variable, which beats',
    `# the configuration file${configFile ? ` (${configFile})` : ''}, which beats the default. Secrets are masked.`,
  ];
  for (const setting of SERVER_SETTINGS) {
    const value = settings.values.get(setting.key);
    const source = settings.sources.get(setting.key)!;
    const from = source === 'environment' ? `environment (${settings.envNames.get(setting.key)})` : source;
    if (setting.flagOnly) {
      lines.push(`# ${setting.key} = ${toml(value ?? false)}   (flag only)`);
      continue;
    }
    if (value === undefined) {
      lines.push(`# ${setting.key} is not set`);
      continue;
    }
    const shown = setting.secret && typeof value === 'string' ? masked(value) : value;
    lines.push(`${setting.key} = ${toml(shown)}   # ${from}`);
  }
  if (env.COFFER_ROOT_PASSPHRASE) lines.push('# the root key passphrase is set (environment: COFFER_ROOT_PASSPHRASE; ****)');
  return `${lines.join('\n')}\n`;
}
