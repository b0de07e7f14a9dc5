import { resolve } from 'node:path';
import { DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from './connection-limits.js';

/** Everything `coffer server` can be told, by flag or by COFFER_* environment variable. */
export interface CofferConfig {
  host: string;
  port: number;
  dataDir: string;
  accountId: string;
  region: string;
  partition: string;
  tlsCert?: string;
  tlsKey?: string;
  /** Serve plain HTTP on an address other than loopback. */
  allowInsecureHttp: boolean;
  /** Ephemeral instance: in-memory storage, signatures parsed but not verified. */
  dev: boolean;
  logLevel: string;
  /** Where request logs go; standard output when absent. */
  logFile?: string;
  /** Where the root key comes from (file, passphrase, kms, shamir). */
  rootKeyProvider: 'file' | 'passphrase' | 'kms' | 'shamir';
  /** The passphrase of the passphrase provider. */
  rootPassphrase?: string;
  /** The external KMS key of the kms provider, and where to reach it. */
  rootKms?: { keyId?: string; endpoint?: string; region?: string };
  sweepIntervalSeconds: number;
  /** How long the wall clock must keep pace with the monotonic clock (at start, after a jump) before time-based deletion acts. */
  clockSteadySeconds: number;
  /** The background lease's time to live: a runner that stops renewing it is replaced within it. */
  runnerLeaseTtlSeconds: number;
  /** JSON Lines files that receive every audit record besides the database. */
  auditFiles: string[];
  /** How long a sink may take to confirm a batch before the requests fail. */
  auditSinkTimeoutMs: number;
  /** How often a digest of the audit chain's head is signed. */
  auditDigestIntervalSeconds: number;
  /** A directory each digest is also written to as a file, to be shipped away from the data directory. */
  auditDigestDir?: string;
  /** Days an audit record stays in the LookupEvents index and in audit.db before it moves to an archive segment. */
  auditRetentionDays: number;
  /** Where archive segments go; `<data-dir>/audit-archive` when absent. */
  auditArchiveDir?: string;
  /** Server processes sharing the port and the database (1: a single process). */
  workers: number;
  /** Start on a data directory that lost data (missing, emptied or mismatched files): a person has decided so. */
  acceptDataLoss?: boolean;
  /** What one client may hold of each server process: connections, pipelined requests, timeouts. */
  limits: ConnectionLimits;
  /** The OS user command rotation functions run as. */
  rotationUser: string;
  /** Let command rotation functions run as the server's own user. */
  allowRotationAsServerUser: boolean;
  /** A PostgreSQL database for the data instead of the data directory's SQLite file. */
  storage?: PostgresStorageConfig;
  /** Prometheus metrics on a listener of their own (off when absent). */
  metrics?: MetricsConfig;
}

/** `--metrics-port` and its companions. */
export interface MetricsConfig {
  port: number;
  host: string;
  /** A file holding the bearer token a scrape must send. */
  tokenFile?: string;
  /** Serve on a non-loopback address without TLS or a token. */
  allowPublic: boolean;
}

/** `--storage postgres://…` with its TLS and password options. */
export interface PostgresStorageConfig {
  /** postgres://user[:password]@host[:port]/database[?sslmode=…&sslrootcert=…&schema=…] */
  url: string;
  /** PEM file of the certificate authority the database server's certificate must chain to. */
  caFile?: string;
  /** A file holding the database password (else the URL's, else PGPASSWORD). */
  passwordFile?: string;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 4566,
  dataDir: './coffer-data',
  accountId: '000000000000',
  region: 'us-east-1',
  logLevel: 'info',
  sweepIntervalSeconds: 60,
  clockSteadySeconds: 600,
  runnerLeaseTtlSeconds: 30,
  auditSinkTimeoutMs: 5000,
  auditDigestIntervalSeconds: 60,
  auditRetentionDays: 90,
  workers: 1,
  limits: DEFAULT_CONNECTION_LIMITS,
  rotationUser: 'nobody',
};

export class ConfigError extends Error {}

export function validateConfig(config: CofferConfig): CofferConfig {
  if (!/^\d{12}$/.test(config.accountId)) throw new ConfigError(`--account-id must be 12 digits, not '${config.accountId}'`);
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(config.region)) throw new ConfigError(`--region '${config.region}' is not a region name`);
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535) throw new ConfigError(`--port must be 0–65535`);
  if (Boolean(config.tlsCert) !== Boolean(config.tlsKey)) throw new ConfigError('--tls-cert and --tls-key go together');
  if (!Number.isInteger(config.workers) || config.workers < 1 || config.workers > 64) throw new ConfigError('--workers must be 1–64');
  if (config.dev && config.workers > 1) throw new ConfigError('--dev keeps its data in one process: it runs with one worker');
  if (!['file', 'passphrase', 'kms', 'shamir'].includes(config.rootKeyProvider)) {
    throw new ConfigError(`--root-key-provider must be file, passphrase, kms or shamir, not '${config.rootKeyProvider}'`);
  }
  if (config.rootKeyProvider === 'kms' && !config.rootKms?.keyId) throw new ConfigError('the kms root key provider needs --root-kms-key-id');
  if (config.rootKeyProvider === 'shamir' && config.workers > 1) {
    throw new ConfigError('a shamir-sealed server is unsealed process by process: it runs with one worker');
  }
  if (!(config.auditSinkTimeoutMs > 0)) throw new ConfigError('--audit-sink-timeout must be a positive number of milliseconds');
  if (!(config.auditDigestIntervalSeconds > 0)) throw new ConfigError('--audit-digest-interval must be a positive number of seconds');
  if (!(config.auditRetentionDays > 0)) throw new ConfigError('--audit-retention-days must be a positive number of days');
  if (!(config.sweepIntervalSeconds > 0)) throw new ConfigError('--sweep-interval must be a positive number of seconds');
  if (!(config.clockSteadySeconds >= 0)) throw new ConfigError('--clock-steady must be a number of seconds');
  if (!(config.runnerLeaseTtlSeconds > 0)) throw new ConfigError('--runner-lease-ttl must be a positive number of seconds');
  validateLimits(config.limits);
  validateStorage(config);
  validateMetrics(config);
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/.test(config.rotationUser)) throw new ConfigError(`--rotation-user '${config.rotationUser}' is not a user name or id`);
  return {
    ...config,
    dataDir: resolve(config.dataDir),
    auditFiles: config.auditFiles.map((f) => resolve(f)),
    ...(config.auditDigestDir ? { auditDigestDir: resolve(config.auditDigestDir) } : {}),
    ...(config.auditArchiveDir ? { auditArchiveDir: resolve(config.auditArchiveDir) } : {}),
    ...(config.metrics?.tokenFile ? { metrics: { ...config.metrics, tokenFile: resolve(config.metrics.tokenFile) } } : {}),
  };
}

function validateLimits(limits: ConnectionLimits): void {
  for (const [flag, value] of [['--max-connections', limits.maxConnections], ['--max-pipelined-requests', limits.maxPipelinedRequests]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new ConfigError(`${flag} must be a positive whole number`);
  }
  const timeouts = [['--header-timeout', limits.headerTimeoutMs], ['--request-timeout', limits.requestTimeoutMs], ['--idle-timeout', limits.idleTimeoutMs]] as const;
  for (const [flag, ms] of timeouts) if (!(ms > 0)) throw new ConfigError(`${flag} must be a positive number of seconds`);
  // Node's server refuses a header timeout longer than the whole request's.
  if (limits.headerTimeoutMs > limits.requestTimeoutMs) throw new ConfigError('--header-timeout cannot be longer than --request-timeout');
}

/** `--storage` names sqlite (the default) or a postgres:// URL; the URL itself is never echoed (it may hold a password). */
export function storageOption(value: string | undefined, caFile: string | undefined, passwordFile: string | undefined): PostgresStorageConfig | undefined {
  if (value === undefined || value === '' || value === 'sqlite') {
    if (caFile || passwordFile) throw new ConfigError('--storage-ca and --storage-password-file go with --storage postgres://…');
    return undefined;
  }
  if (!/^postgres(ql)?:\/\/[^/]/i.test(value)) throw new ConfigError('--storage must be sqlite or a postgres://user@host:port/database URL');
  return { url: value, caFile, passwordFile };
}

function validateMetrics(config: CofferConfig): void {
  const metrics = config.metrics;
  if (!metrics) return;
  if (!Number.isInteger(metrics.port) || metrics.port < 0 || metrics.port > 65535) throw new ConfigError('--metrics-port must be 0–65535');
  // Metrics name operations, principals' counts and the seal state: not for the whole network by accident.
  if (!isLoopback(metrics.host) && !config.tlsCert && !metrics.tokenFile && !metrics.allowPublic) {
    throw new ConfigError(
      `refusing to serve metrics on ${metrics.host} in clear text and to anyone: give --tls-cert/--tls-key (served over HTTPS too), --metrics-token-file, or --allow-public-metrics to accept it`,
    );
  }
}

function validateStorage(config: CofferConfig): void {
  if (!config.storage) return;
  if (config.dev) throw new ConfigError('--dev keeps its data in memory: it takes no --storage');
  if (config.workers > 1) throw new ConfigError('--workers shares a SQLite file between processes; with --storage postgres://… run one process');
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
