import type { Command } from 'commander';
import { promptSecret } from './prompt.js';
import { ConfigError, DEFAULTS, storageOption, validateConfig, type CofferConfig } from '../config/config.js';

const env = process.env;
const flag = (value: string | undefined): boolean => value !== undefined && /^(1|true|yes|on)$/i.test(value);

export function registerServerCommand(program: Command): void {
  program
    .command('server')
    .description('run the Coffer server')
    .option('--host <host>', 'address to listen on (COFFER_HOST)', env.COFFER_HOST ?? DEFAULTS.host)
    .option('--port <port>', 'port to listen on, 0 for any free port (COFFER_PORT)', env.COFFER_PORT ?? String(DEFAULTS.port))
    .option('--data-dir <dir>', 'database, root key and credentials (COFFER_DATA_DIR)', env.COFFER_DATA_DIR ?? DEFAULTS.dataDir)
    .option('--account-id <id>', '12-digit account id used in ARNs (COFFER_ACCOUNT_ID)', env.COFFER_ACCOUNT_ID ?? DEFAULTS.accountId)
    .option('--region <region>', 'default region written to the client config (COFFER_REGION)', env.COFFER_REGION ?? DEFAULTS.region)
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS (COFFER_TLS_CERT)', env.COFFER_TLS_CERT)
    .option('--tls-key <file>', 'PEM private key for --tls-cert (COFFER_TLS_KEY)', env.COFFER_TLS_KEY)
    .option('--allow-insecure-http', 'allow plain HTTP on a non-loopback address (COFFER_ALLOW_INSECURE_HTTP)', flag(env.COFFER_ALLOW_INSECURE_HTTP))
    .option('--dev', 'ephemeral in-memory instance that accepts any access key (COFFER_DEV)', flag(env.COFFER_DEV))
    .option('--log-level <level>', 'trace, debug, info, warn or error (COFFER_LOG_LEVEL)', env.COFFER_LOG_LEVEL ?? DEFAULTS.logLevel)
    .option('--log-file <file>', 'write logs to a file instead of standard output (COFFER_LOG_FILE)', env.COFFER_LOG_FILE)
    .option('--workers <n>', 'server processes sharing the port and the database (COFFER_WORKERS)', env.COFFER_WORKERS ?? String(DEFAULTS.workers))
    .option('--root-key-provider <kind>', 'where the root key comes from: file, passphrase, kms or shamir (COFFER_ROOT_KEY_PROVIDER)', env.COFFER_ROOT_KEY_PROVIDER ?? (env.COFFER_ROOT_PASSPHRASE ? 'passphrase' : 'file'))
    .option('--root-kms-key-id <id>', 'kms provider: the external KMS key that wraps the root key (COFFER_ROOT_KMS_KEY_ID)', env.COFFER_ROOT_KMS_KEY_ID)
    .option('--root-kms-endpoint <url>', 'kms provider: an AWS-KMS-compatible endpoint, AWS KMS when absent (COFFER_ROOT_KMS_ENDPOINT)', env.COFFER_ROOT_KMS_ENDPOINT)
    .option('--root-kms-region <region>', 'kms provider: the KMS region (COFFER_ROOT_KMS_REGION, else AWS_REGION)', env.COFFER_ROOT_KMS_REGION ?? env.AWS_REGION)
    .option('--audit-file <path>', 'also write every audit record to this JSON Lines file (repeatable; COFFER_AUDIT_FILES, comma-separated)', (value: string, previous: string[]) => [...previous, value], env.COFFER_AUDIT_FILES ? env.COFFER_AUDIT_FILES.split(',') : [])
    .option('--audit-sink-timeout <ms>', 'how long an audit sink may take to confirm before requests fail (COFFER_AUDIT_SINK_TIMEOUT)', env.COFFER_AUDIT_SINK_TIMEOUT ?? String(DEFAULTS.auditSinkTimeoutMs))
    .option('--audit-digest-interval <seconds>', 'how often the audit chain head is signed (COFFER_AUDIT_DIGEST_INTERVAL)', env.COFFER_AUDIT_DIGEST_INTERVAL ?? String(DEFAULTS.auditDigestIntervalSeconds))
    // Deliberately no environment variable: left set, it would accept every later loss unseen.
    .option('--accept-data-loss', 'start although files of the data directory are missing, emptied or do not match, accepting that what they held is lost (recorded in the audit log)', false)
    .option('--audit-digest-dir <dir>', 'also write each audit digest to this directory as a file, to be shipped elsewhere (COFFER_AUDIT_DIGEST_DIR)', env.COFFER_AUDIT_DIGEST_DIR)
    .option('--audit-retention-days <days>', 'days audit records stay in LookupEvents and audit.db before moving to compressed archive segments (COFFER_AUDIT_RETENTION_DAYS)', env.COFFER_AUDIT_RETENTION_DAYS ?? String(DEFAULTS.auditRetentionDays))
    .option('--audit-archive-dir <dir>', 'where archive segments of the audit log go, default <data-dir>/audit-archive (COFFER_AUDIT_ARCHIVE_DIR)', env.COFFER_AUDIT_ARCHIVE_DIR)
    .option('--storage <url>', 'where the data lives: sqlite (the data directory, default) or postgres://user@host:port/database (COFFER_STORAGE)', env.COFFER_STORAGE)
    .option('--storage-ca <file>', 'postgres: PEM certificate authority the database server must chain to (COFFER_STORAGE_CA)', env.COFFER_STORAGE_CA)
    .option('--storage-password-file <file>', 'postgres: file holding the database password, else the URL\'s or PGPASSWORD (COFFER_STORAGE_PASSWORD_FILE)', env.COFFER_STORAGE_PASSWORD_FILE)
    .option('--sweep-interval <seconds>', 'how often background work runs: purging deleted secrets and keys, rotating keys (COFFER_SWEEP_INTERVAL)', env.COFFER_SWEEP_INTERVAL ?? String(DEFAULTS.sweepIntervalSeconds))
    .option('--clock-steady <seconds>', 'how long the wall clock must keep pace (after start or a jump) before purges and other time-based deletion act (COFFER_CLOCK_STEADY)', env.COFFER_CLOCK_STEADY ?? String(DEFAULTS.clockSteadySeconds))
    .option('--runner-lease-ttl <seconds>', 'time to live of the lease that picks the one process running background work (COFFER_RUNNER_LEASE_TTL)', env.COFFER_RUNNER_LEASE_TTL ?? String(DEFAULTS.runnerLeaseTtlSeconds))
    .option('--max-connections <n>', 'open connections per server process (COFFER_MAX_CONNECTIONS)', env.COFFER_MAX_CONNECTIONS ?? String(DEFAULTS.limits.maxConnections))
    .option('--max-pipelined-requests <n>', 'unanswered requests one connection may send (COFFER_MAX_PIPELINED_REQUESTS)', env.COFFER_MAX_PIPELINED_REQUESTS ?? String(DEFAULTS.limits.maxPipelinedRequests))
    .option('--header-timeout <seconds>', 'time a client has to send a request\'s headers (COFFER_HEADER_TIMEOUT)', env.COFFER_HEADER_TIMEOUT ?? String(DEFAULTS.limits.headerTimeoutMs / 1000))
    .option('--request-timeout <seconds>', 'time a client has to send a whole request (COFFER_REQUEST_TIMEOUT)', env.COFFER_REQUEST_TIMEOUT ?? String(DEFAULTS.limits.requestTimeoutMs / 1000))
    .option('--idle-timeout <seconds>', 'an idle connection, or one whose client takes none of its answer, is closed after this (COFFER_IDLE_TIMEOUT)', env.COFFER_IDLE_TIMEOUT ?? String(DEFAULTS.limits.idleTimeoutMs / 1000))
    .option('--rotation-user <user>', 'the unprivileged OS user command rotation functions run as (COFFER_ROTATION_USER)', env.COFFER_ROTATION_USER ?? DEFAULTS.rotationUser)
    .option('--allow-rotation-as-server-user', "let command rotation functions run as the server's own user (COFFER_ALLOW_ROTATION_AS_SERVER_USER)", flag(env.COFFER_ALLOW_ROTATION_AS_SERVER_USER))
    .action(async (opts) => {
      let config: CofferConfig;
      try {
        config = validateConfig({
          host: opts.host,
          port: Number(opts.port),
          dataDir: opts.dataDir,
          accountId: opts.accountId,
          region: opts.region,
          partition: 'aws',
          tlsCert: opts.tlsCert,
          tlsKey: opts.tlsKey,
          allowInsecureHttp: Boolean(opts.allowInsecureHttp),
          dev: Boolean(opts.dev),
          logLevel: opts.logLevel,
          logFile: opts.logFile,
          rootKeyProvider: opts.rootKeyProvider,
          rootPassphrase: env.COFFER_ROOT_PASSPHRASE || undefined,
          rootKms: { keyId: opts.rootKmsKeyId, endpoint: opts.rootKmsEndpoint, region: opts.rootKmsRegion ?? 'us-east-1' },
          sweepIntervalSeconds: Number(opts.sweepInterval),
          clockSteadySeconds: Number(opts.clockSteady),
          runnerLeaseTtlSeconds: Number(opts.runnerLeaseTtl),
          auditFiles: opts.auditFile,
          auditSinkTimeoutMs: Number(opts.auditSinkTimeout),
          auditDigestIntervalSeconds: Number(opts.auditDigestInterval),
          auditDigestDir: opts.auditDigestDir,
          auditRetentionDays: Number(opts.auditRetentionDays),
          auditArchiveDir: opts.auditArchiveDir,
          workers: Number(opts.workers),
          acceptDataLoss: Boolean(opts.acceptDataLoss),
          limits: {
            maxConnections: Number(opts.maxConnections),
            maxPipelinedRequests: Number(opts.maxPipelinedRequests),
            headerTimeoutMs: Number(opts.headerTimeout) * 1000,
            requestTimeoutMs: Number(opts.requestTimeout) * 1000,
            idleTimeoutMs: Number(opts.idleTimeout) * 1000,
          },
          rotationUser: opts.rotationUser,
          allowRotationAsServerUser: Boolean(opts.allowRotationAsServerUser),
          storage: storageOption(opts.storage, opts.storageCa, opts.storagePasswordFile),
        });
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
