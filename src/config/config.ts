import { resolve } from 'node:path';

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
  /** JSON Lines files that receive every audit record besides the database. */
  auditFiles: string[];
  /** How long a sink may take to confirm a batch before the requests fail. */
  auditSinkTimeoutMs: number;
  /** How often a digest of the audit chain's head is signed. */
  auditDigestIntervalSeconds: number;
  /** Server processes sharing the port and the database (1: a single process). */
  workers: number;
  /** A PostgreSQL database for the data instead of the data directory's SQLite file. */
  storage?: PostgresStorageConfig;
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
  auditSinkTimeoutMs: 5000,
  auditDigestIntervalSeconds: 60,
  workers: 1,
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
  if (!(config.sweepIntervalSeconds > 0)) throw new ConfigError('--sweep-interval must be a positive number of seconds');
  validateStorage(config);
  return { ...config, dataDir: resolve(config.dataDir), auditFiles: config.auditFiles.map((f) => resolve(f)) };
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

function validateStorage(config: CofferConfig): void {
  if (!config.storage) return;
  if (config.dev) throw new ConfigError('--dev keeps its data in memory: it takes no --storage');
  if (config.workers > 1) throw new ConfigError('--workers shares a SQLite file between processes; with --storage postgres://… run one process');
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
