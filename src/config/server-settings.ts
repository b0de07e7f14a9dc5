import { DEFAULTS } from './config.js';

export type SettingKind = 'string' | 'number' | 'boolean' | 'list';
export type SettingValue = string | number | boolean | string[];
export type SettingSource = 'flag' | 'environment' | 'file' | 'default';

/**
 * One setting of `coffer server`: its flag (`--<key>`), its key in the configuration file
 * (the same name), its environment variables (the first one set wins) and its default.
 */
export interface ServerSetting {
  key: string;
  kind: SettingKind;
  /** The flag's argument, as help shows it (none for a boolean). */
  arg?: string;
  description: string;
  env?: string[];
  default?: SettingValue | ((env: NodeJS.ProcessEnv) => SettingValue | undefined);
  /** Shown masked by --print-config. */
  secret?: boolean;
  /** A flag only: it has no key in the file and no environment variable (see accept-data-loss). */
  flagOnly?: boolean;
}

const s = (key: string, kind: SettingKind, arg: string | undefined, description: string, rest: Partial<ServerSetting> = {}): ServerSetting => ({
  key,
  kind,
  ...(arg ? { arg } : {}),
  description,
  env: [`COFFER_${key.toUpperCase().replace(/-/g, '_')}`],
  ...rest,
});

/** Every setting of `coffer server`, in the order help lists them. */
export const SERVER_SETTINGS: ServerSetting[] = [
  s('host', 'string', '<host>', 'address to listen on', { default: DEFAULTS.host }),
  s('port', 'number', '<port>', 'port to listen on, 0 for any free port', { default: DEFAULTS.port }),
  s('data-dir', 'string', '<dir>', 'database, root key and credentials', { default: DEFAULTS.dataDir }),
  s('account-id', 'string', '<id>', '12-digit account id used in ARNs', { default: DEFAULTS.accountId }),
  s('region', 'string', '<region>', 'default region written to the client config', { default: DEFAULTS.region }),
  s('tls-cert', 'string', '<file>', 'PEM certificate: serve HTTPS'),
  s('tls-key', 'string', '<file>', 'PEM private key for --tls-cert'),
  s('allow-insecure-http', 'boolean', undefined, 'allow plain HTTP on a non-loopback address', { default: false }),
  s('dev', 'boolean', undefined, 'ephemeral in-memory instance that accepts any access key', { default: false }),
  s('log-level', 'string', '<level>', 'trace, debug, info, warn or error', { default: DEFAULTS.logLevel }),
  s('log-file', 'string', '<file>', 'write logs to a file instead of standard output'),
  s('workers', 'number', '<n>', 'server processes sharing the port and the database', { default: DEFAULTS.workers }),
  s('root-key-provider', 'string', '<kind>', 'where the root key comes from: file, passphrase, kms or shamir', {
    default: (env) => (env.COFFER_ROOT_PASSPHRASE ? 'passphrase' : 'file'),
  }),
  s('root-kms-key-id', 'string', '<id>', 'kms provider: the external KMS key that wraps the root key'),
  s('root-kms-endpoint', 'string', '<url>', 'kms provider: an AWS-KMS-compatible endpoint, AWS KMS when absent'),
  s('root-kms-region', 'string', '<region>', 'kms provider: the KMS region', { env: ['COFFER_ROOT_KMS_REGION', 'AWS_REGION'], default: 'us-east-1' }),
  s('audit-file', 'list', '<path>', 'also write every audit record to this JSON Lines file (repeatable; environment: comma-separated)', { env: ['COFFER_AUDIT_FILES'], default: [] }),
  s('audit-sink-timeout', 'number', '<ms>', 'how long an audit sink may take to confirm before requests fail', { default: DEFAULTS.auditSinkTimeoutMs }),
  s('audit-digest-interval', 'number', '<seconds>', 'how often the audit chain head is signed', { default: DEFAULTS.auditDigestIntervalSeconds }),
  // Deliberately neither an environment variable nor a file key: left set, it would accept every later loss unseen.
  {
    key: 'accept-data-loss',
    kind: 'boolean',
    description: 'start although files of the data directory are missing, emptied or do not match, accepting that what they held is lost (recorded in the audit log)',
    default: false,
    flagOnly: true,
  },
  s('audit-digest-dir', 'string', '<dir>', 'also write each audit digest to this directory as a file, to be shipped elsewhere'),
  s('audit-retention-days', 'number', '<days>', 'days audit records stay in LookupEvents and audit.db before moving to compressed archive segments', { default: DEFAULTS.auditRetentionDays }),
  s('audit-archive-dir', 'string', '<dir>', 'where archive segments of the audit log go, default <data-dir>/audit-archive'),
  s('storage', 'string', '<url>', 'where the data lives: sqlite (the data directory, default) or postgres://user@host:port/database', { secret: true }),
  s('storage-ca', 'string', '<file>', 'postgres: PEM certificate authority the database server must chain to'),
  s('storage-password-file', 'string', '<file>', "postgres: file holding the database password, else the URL's or PGPASSWORD"),
  s('sweep-interval', 'number', '<seconds>', 'how often background work runs: purging deleted secrets and keys, rotating keys', { default: DEFAULTS.sweepIntervalSeconds }),
  s('clock-steady', 'number', '<seconds>', 'how long the wall clock must keep pace (after start or a jump) before purges and other time-based deletion act', { default: DEFAULTS.clockSteadySeconds }),
  s('runner-lease-ttl', 'number', '<seconds>', 'time to live of the lease that picks the one process running background work', { default: DEFAULTS.runnerLeaseTtlSeconds }),
  s('max-connections', 'number', '<n>', 'open connections per server process', { default: DEFAULTS.limits.maxConnections }),
  s('max-pipelined-requests', 'number', '<n>', 'unanswered requests one connection may send', { default: DEFAULTS.limits.maxPipelinedRequests }),
  s('header-timeout', 'number', '<seconds>', "time a client has to send a request's headers", { default: DEFAULTS.limits.headerTimeoutMs / 1000 }),
  s('request-timeout', 'number', '<seconds>', 'time a client has to send a whole request', { default: DEFAULTS.limits.requestTimeoutMs / 1000 }),
  s('idle-timeout', 'number', '<seconds>', 'an idle connection, or one whose client takes none of its answer, is closed after this', { default: DEFAULTS.limits.idleTimeoutMs / 1000 }),
  s('rotation-user', 'string', '<user>', 'the unprivileged OS user command rotation functions run as', { default: DEFAULTS.rotationUser }),
  s('allow-rotation-as-server-user', 'boolean', undefined, "let command rotation functions run as the server's own user", { default: false }),
  s('metrics-port', 'number', '<port>', 'serve Prometheus metrics on /metrics at this port (off when absent; 0 for any free port)'),
  s('metrics-host', 'string', '<host>', 'address of the metrics listener', { default: '127.0.0.1' }),
  s('metrics-token-file', 'string', '<file>', 'file holding a token that scrapes must send as "Authorization: Bearer <token>"'),
  s('allow-public-metrics', 'boolean', undefined, 'serve metrics on a non-loopback address without TLS or a token', { default: false }),
];

/** A boolean from the environment: 1, true, yes or on (any case); anything else is false. */
export function environmentFlag(value: string): boolean {
  return /^(1|true|yes|on)$/i.test(value);
}
