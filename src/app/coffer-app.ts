import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { kmsService } from '../api/kms/kms-service.js';
import { secretsManagerService } from '../api/secretsmanager/secrets-manager-service.js';
import { isLoopback, type CofferConfig } from '../config/config.js';
import { Dispatcher } from '../http/dispatcher.js';
import { endpointUrl, HttpServer } from '../http/server.js';
import { ConsoleAssets } from '../http/console-assets.js';
import { SigV4Verifier } from '../http/sigv4.js';
import { AccessKeyStore } from '../iam/access-key-store.js';
import { KeyAdmin } from '../keys/key-admin.js';
import { KeyService } from '../keys/key-service.js';
import { KmsRootKeyProvider } from '../keys/kms-root-key-provider.js';
import { RootKey, RootKeyRing } from '../keys/root-key.js';
import { RootKeyFiles } from '../keys/root-key-files.js';
import {
  FileRootKeyProvider,
  PassphraseRootKeyProvider,
  ShamirRootKeyProvider,
  type RootKeyProvider,
} from '../keys/root-key-providers.js';
import { operatorService } from '../api/operator/operator-service.js';
import { rotationFunctionsService } from '../api/rotation-functions/rotation-functions-service.js';
import { changeFeedService } from '../api/change-feed/change-feed-service.js';
import { SecretChangeFeed } from '../secrets/secret-change-feed.js';
import { cloudTrailService } from '../api/cloudtrail/cloudtrail-service.js';
import { iamService } from '../api/iam/iam-service.js';
import { stsService } from '../api/sts/sts-service.js';
import { IamDirectory } from '../iam/directory/iam-directory.js';
import { RootKeyManager, type UnsealPeers } from './root-key-manager.js';
import { createLogger } from '../log/logger.js';
import { SecretReader } from '../secrets/secret-reader.js';
import { SecretService } from '../secrets/secret-service.js';
import { SecretCipher } from '../secrets/secret-cipher.js';
import { ReplicaSync } from '../secrets/replica-sync.js';
import { replicating } from '../secrets/replicating-storage.js';
import { ReplicationService } from '../secrets/replication-service.js';
import { SqliteStorage } from '../storage/sqlite/sqlite-storage.js';
import { openSqliteDataDir, prepareDirectory } from '../storage/sqlite/sqlite-data-dir.js';
import type { OpenedStore } from '../storage/opened-store.js';
import { fileError } from '../errors/file-error.js';
import { PostgresStorage } from '../storage/postgres/pg-storage.js';
import { redactedUrl } from '../storage/postgres/pg-connection.js';
import { Sweeper } from './sweeper.js';
import { backgroundTasks } from './background-tasks.js';
import { whileRunner } from './background-work.js';
import { RunnerLease } from './runner-lease.js';
import { TrustedClock } from './trusted-clock.js';
import { serviceEventRecorder } from '../audit/service-events.js';
import { setUpRotation } from './rotation-setup.js';
import { AuditLog, type AuditLogOptions } from '../audit/audit-log.js';
import { Authorizer } from '../iam/authorizer.js';
import { AuditSigningKey } from '../audit/audit-signing-key.js';
import { ARCHIVE_DIR_NAME } from '../audit/audit-archive.js';
import { AUDIT_DB_FILE } from '../storage/sqlite/audit-database.js';
import type { SecretsApiDeps } from '../api/secretsmanager/secrets-manager-deps.js';
import { RotationFunctionService } from '../rotation/rotation-function-service.js';
import { WriteGate } from '../storage/write-gate.js';
import { ROTATION_SERVICE_PRINCIPAL } from '../rotation/rotation-credentials.js';
import { createBackup } from './backup.js';
import { cofferVersion } from '../config/version.js';

const BODY_LIMIT = 1024 * 1024;
const DAY_MS = 86_400_000;

export interface RunningCoffer {
  url: string;
  /** Where Prometheus scrapes this server's metrics (with --metrics-port, unless a cluster's primary serves them). */
  metricsUrl?: string;
  /** The shared-credentials file holding the administrator key (absent in --dev mode). */
  credentialsPath?: string;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: () => number;
  logger?: Logger;
  /** This process is one of several workers sharing the port and the database. */
  shared?: boolean;
  /** The other workers, told the material this one is unsealed with. */
  peers?: UnsealPeers;
}

/** Wires the layers together and starts listening. */
export async function startCoffer(config: CofferConfig, options: StartOptions = {}): Promise<RunningCoffer> {
  const logger = options.logger ?? createLogger(config.logLevel, config.logFile);
  const tls = config.tlsCert && config.tlsKey ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } : undefined;
  if (!tls && !isLoopback(config.host)) {
    if (!config.allowInsecureHttp) {
      throw new Error(
        `refusing to serve plain HTTP on ${config.host}: secrets would cross the network in clear text. Give --tls-cert and --tls-key, or --allow-insecure-http to accept the risk.`,
      );
    }
    logger.warn({ host: config.host }, 'serving plain HTTP on a non-loopback address: secrets cross the network in clear text');
  }

  // prom-client is loaded only when metrics are asked for.
  const metrics = config.metrics ? (await import('../metrics/coffer-metrics.js')).CofferMetrics.forProcess({ clusterWorker: options.shared }) : undefined;
  const { storage, keys, accessKeys, ring, rootKeys, credentialsPath, auditKey, marks, accepted } = await openData(config, { shared: options.shared, peers: options.peers, logger }).catch(
    async (error: unknown) => {
      // The caller exits on this error: let the log destination finish opening first.
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
      throw error;
    },
  );
  // Opened after the database: its migrations move an earlier version's audit log into audit.db.
  const audit = await AuditLog.open({
    ...auditStore(config, storage),
    files: config.auditFiles,
    sinkTimeoutMs: config.auditSinkTimeoutMs,
    // Signed with the key the database is under now, should another process have rotated it.
    signingKey: async () => ((await rootKeys?.sealed()) ? undefined : auditKey.get()),
    shared: options.shared,
    digestIntervalSeconds: config.auditDigestIntervalSeconds,
    ...(config.auditDigestDir ? { digestDir: config.auditDigestDir } : {}),
    logger,
    clock: options.clock,
    account: config.accountId,
    region: config.region,
    marks,
    ...(metrics ? { observer: { record: (record) => metrics.observeRecord(record), batch: (n, seconds, ok) => metrics.observeAuditBatch(n, seconds, ok) } } : {}),
  }).catch(async (error: unknown) => {
    await storage.close();
    throw error;
  });
  if (!config.dev) tightenDataFiles(config.dataDir);
  await recordAcceptedLoss(audit, accepted, config, options.clock);
  // Every unit of work that changes a primary secret brings its replicas along (see replicating-storage.ts).
  const replicaSync = new ReplicaSync(keys, new SecretCipher(keys), options.clock);
  const replicated = replicating(storage, replicaSync);
  const replication = new ReplicationService(replicated, keys, replicaSync);
  const secrets = new SecretService(replicated, keys, replication);
  const reader = new SecretReader(storage, secrets.cipher);
  const feed = new SecretChangeFeed(storage);
  const admin = new KeyAdmin(storage, keys);

  const events = serviceEventRecorder(audit, options.clock);
  // Every process competes for the one lease of background work; its writes are fenced by it.
  const lease = new RunnerLease(storage, logger, config.runnerLeaseTtlSeconds * 1000);
  const background = lease.fenced(storage);
  // The rotation service is set once it exists; rotations call this API through the server's own endpoint.
  const secretsApi = { secrets, reader, keys, replication } as SecretsApiDeps;
  const secretsManager = secretsManagerService(secretsApi);
  let url = '';
  const directory = new IamDirectory(storage, accessKeys);
  const rotationFunctions = new RotationFunctionService(storage, ring, (role, now) =>
    directory.sessions.serviceCannotAssume(role, ROTATION_SERVICE_PRINCIPAL, now),
  );
  const rotation = setUpRotation({
    storage: replicated,
    accessKeys,
    sts: directory.sessions,
    functions: rotationFunctions,
    sandbox: {
      user: config.rotationUser,
      allowServerUser: config.allowRotationAsServerUser,
      hidden: [config.dataDir, config.tlsKey, config.logFile, config.auditDigestDir, config.auditArchiveDir, ...config.auditFiles].filter((path): path is string => path !== undefined),
    },
    logger,
    partition: config.partition,
    endpointUrl: () => url,
    certificate: tls?.cert,
    paused: () => ring.sealed,
    clock: options.clock,
    events,
    background: replicating(background, replicaSync),
  });
  secretsApi.rotation = rotation.service;

  const database = new WriteGate({
    name: config.storage ? 'PostgreSQL database' : 'database coffer.db',
    probe: () => storage.probeWrite(),
    isWriteFailure: (error) => storage.isWriteFailure(error),
    ping: storage.ping && (() => storage.ping!()),
    logger,
    clock: options.clock,
    ...(metrics ? { onFailure: () => metrics.storageErrors.inc() } : {}),
  });
  const verifier = new SigV4Verifier(accessKeys, { verifySignatures: !config.dev, clock: options.clock });
  const dispatcher = new Dispatcher({
    services: [
      secretsManager,
      kmsService({ keys, admin }),
      rotationFunctionsService({ functions: rotationFunctions }),
      changeFeedService({ reader, keys, feed }),
      cloudTrailService({ audit }),
      iamService({ directory }),
      stsService({ directory }),
      ...(rootKeys
        ? [
            operatorService({
              rootKeys,
              rootKeyProvider: (request) => rootKeyProvider({ ...config, ...request }),
              ...(storage instanceof SqliteStorage
                ? {
                    backup: () =>
                      createBackup({ dataDir: config.dataDir, archiveDir: config.auditArchiveDir, storage, audit, rootKeyProvider: config.rootKeyProvider, cofferVersion: cofferVersion() }),
                  }
                : {}),
            }),
          ]
        : []),
    ],
    // Each request first follows a seal or rotation recorded by another process.
    catchUp: () => storage.syncChanges(),
    sealed: () => rootKeys?.sealed() ?? ring.sealed,
    audit,
    database,
    authorizer: new Authorizer(directory),
    verifier,
    logger,
    account: config.accountId,
    partition: config.partition,
    defaultRegion: config.region,
    bodyLimit: BODY_LIMIT,
    clock: options.clock,
    ...(metrics ? { observe: (service: string, operation: string, status: number, seconds: number) => metrics.observeRequest(service, operation, status, seconds) } : {}),
  });
  const server = new HttpServer(dispatcher, {
    tls,
    // Not ready while sealed, or while the audit log or the database cannot be written (each probed again first).
    readiness: async () => {
      const reasons: string[] = [];
      if (await (rootKeys?.sealed() ?? ring.sealed)) reasons.push('sealed: unseal it (coffer operator status)');
      if (!(await audit.ready())) reasons.push('the audit log cannot be written');
      if (!(await database.ready())) reasons.push(`the ${config.storage ? 'PostgreSQL database' : 'database coffer.db'} cannot be reached or written`);
      return reasons;
    },
    limits: config.limits,
    console: new ConsoleAssets(config.region),
  });
  const address = await server.listen(config.port, config.host);
  metrics?.watch({
    sealed: () => rootKeys?.sealed() ?? ring.sealed,
    auditQueueDepth: () => audit.queueDepth,
    auditWritable: () => audit.writable,
    databaseWritable: () => database.writable,
    cacheLookups: () => storage.changes.lookups,
  });
  // A cluster's workers are scraped through their primary (see server-cluster.ts).
  const metricsServer = config.metrics && !options.shared
    ? await (await import('../metrics/metrics-server.js')).startMetricsServer(config.metrics, async () => (await import('../metrics/coffer-metrics.js')).CofferMetrics.scrape(), tls).catch(async (error: unknown) => {
        await server.close();
        throw error;
      })
    : undefined;
  const trusted = new TrustedClock(options.clock ?? Date.now, config.clockSteadySeconds * 1000, logger);
  const sweeper = new Sweeper(
    backgroundTasks({
      secrets: new SecretService(background, keys),
      admin: new KeyAdmin(background, keys),
      accessKeys: new AccessKeyStore(background, ring),
      replication: new ReplicationService(background, keys, replicaSync),
      events,
    }),
    logger,
    () => trusted.now(),
  );
  url = endpointUrl(address.address, address.port, tls !== undefined);
  // An in-memory (--dev) log has no directory to archive to: its old entries only leave the lookup index.
  const archiveDir = config.dev ? undefined : (config.auditArchiveDir ?? join(config.dataDir, ARCHIVE_DIR_NAME));
  lease.start(whileRunner({
    sweeper,
    scheduler: rotation.scheduler,
    audit,
    sweepIntervalMs: config.sweepIntervalSeconds * 1000,
    digestIntervalMs: config.auditDigestIntervalSeconds * 1000,
    retention: { retentionMs: config.auditRetentionDays * DAY_MS, archiveDir },
  }));

  return {
    url,
    credentialsPath,
    metricsUrl: metricsServer?.url,
    async close() {
      // Long polls answer now rather than hold the server's stop.
      feed.close();
      await metricsServer?.close();
      await server.close();
      await lease.stop();
      await rotation.runner.idle();
      await audit.close();
      await storage.close();
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
    },
  };
}

interface OpenedData extends Omit<OpenedStore, 'completeFirstStart'> {
  ring: RootKeyRing;
  keys: KeyService;
  accessKeys: AccessKeyStore;
  rootKeys?: RootKeyManager;
  credentialsPath?: string;
  auditKey: AuditSigningKey;
}

/**
 * Opens (and on first start creates) the data directory, the database, the
 * root key and the administrator credentials. A shamir server opens sealed.
 */
async function openData(config: CofferConfig, options: { shared?: boolean; peers?: UnsealPeers; logger: Logger }): Promise<OpenedData> {
  if (config.dev) {
    const storage = SqliteStorage.open(':memory:');
    const ring = new RootKeyRing(new RootKey(randomBytes(32)));
    const auditKey = new AuditSigningKey(storage, ring);
    return { storage, ring, keys: new KeyService(storage, ring), accessKeys: new AccessKeyStore(storage, ring), auditKey, accepted: [] };
  }
  const opened = await openStore(config, options);
  const { storage, marks, accepted } = opened;
  try {
    const ring = new RootKeyRing();
    const keys = new KeyService(storage, ring);
    const accessKeys = new AccessKeyStore(storage, ring);
    ring.whenLocked(() => {
      keys.forgetAll();
      accessKeys.forgetAll();
    });
    const credentialsPath = join(config.dataDir, 'credentials');
    const auditKey = new AuditSigningKey(storage, ring, join(config.dataDir, 'audit-public-key.pem'));
    const rootKeys = new RootKeyManager(storage, ring, new RootKeyFiles(config.dataDir), rootKeyProvider(config), options.logger, async () => {
      await ensureAdminCredentials(config, accessKeys, credentialsPath, options.logger);
      await auditKey.publish(config.acceptDataLoss);
    }, options.peers);
    // A worker started in place of one that stopped keeps an operator's seal.
    await rootKeys.start({ keepSeal: options.shared });
    opened.completeFirstStart();
    return { storage, ring, keys, accessKeys, rootKeys, credentialsPath, auditKey, marks, accepted };
  } catch (error) {
    await storage.close();
    throw error;
  }
}

/**
 * The data directory's SQLite file, checked with the files beside it, or the
 * PostgreSQL database `--storage` names (the data directory then holds the
 * root key, credentials and audit log only).
 */
async function openStore(config: CofferConfig, options: { shared?: boolean; logger: Logger }): Promise<OpenedStore> {
  if (!config.storage) return openSqliteDataDir(config.dataDir, { shared: options.shared, acceptDataLoss: config.acceptDataLoss, logger: options.logger });
  prepareDirectory(config.dataDir);
  const storage = await PostgresStorage.open(config.storage);
  options.logger.info({ storage: redactedUrl(config.storage.url) }, 'data in PostgreSQL');
  return { storage, accepted: [], completeFirstStart: () => undefined };
}

/**
 * First-start work done once, before cluster workers start: they then find the
 * data directory, root key and credentials in place. Returns the credentials path.
 */
export async function initializeData(config: CofferConfig): Promise<string | undefined> {
  const logger = createLogger(config.logLevel, config.logFile);
  const { storage, credentialsPath, marks, accepted } = await openData(config, { logger });
  try {
    // The audit database too, so that the workers find its schema in place (and an accepted loss is on record).
    const audit = await AuditLog.open({ ...auditStore(config, storage), logger, marks });
    try {
      await recordAcceptedLoss(audit, accepted, config);
    } finally {
      await audit.close();
    }
  } finally {
    await storage.close();
  }
  tightenDataFiles(config.dataDir);
  return credentialsPath;
}

/** Where the audit chain is kept: with the data in PostgreSQL, shared by every node; else audit.db (in memory for --dev). */
function auditStore(config: CofferConfig, storage: OpenedStore['storage']): Pick<AuditLogOptions, 'path' | 'chain'> {
  if (storage instanceof PostgresStorage) return { path: '', chain: (owner) => storage.openAuditChain(owner) };
  return { path: config.dev ? ':memory:' : join(config.dataDir, AUDIT_DB_FILE) };
}

/** A loss a person accepted with --accept-data-loss is the first thing the audit log records after it. */
async function recordAcceptedLoss(audit: AuditLog, accepted: string[], config: CofferConfig, clock?: () => number): Promise<void> {
  if (!accepted.length) return;
  await serviceEventRecorder(audit, clock)({
    eventSource: 'operator.coffer',
    eventName: 'AcceptDataLoss',
    account: config.accountId,
    region: config.region,
    details: { dataDirectory: config.dataDir, accepted },
  });
}

/** The databases and their WAL files are readable by the server's user alone, like the directory and root key. */
function tightenDataFiles(dataDir: string): void {
  for (const database of ['coffer.db', AUDIT_DB_FILE]) {
    for (const suffix of ['', '-wal', '-shm']) {
      const path = join(dataDir, database + suffix);
      try {
        if (existsSync(path)) chmodSync(path, 0o600);
      } catch (error) {
        throw fileError(error, path, 'make private (mode 0600)');
      }
    }
  }
}

/** The configured root key provider; `coffer operator rotate-root` names another the same way. */
function rootKeyProvider(config: Pick<CofferConfig, 'rootKeyProvider' | 'rootPassphrase' | 'rootKms'>): RootKeyProvider {
  switch (config.rootKeyProvider) {
    case 'passphrase':
      return new PassphraseRootKeyProvider(config.rootPassphrase ?? '');
    case 'kms':
      return new KmsRootKeyProvider({ keyId: config.rootKms?.keyId ?? '', endpoint: config.rootKms?.endpoint, region: config.rootKms?.region });
    case 'shamir':
      return new ShamirRootKeyProvider();
    default:
      return new FileRootKeyProvider();
  }
}

/**
 * On first start: an administrator key pair, written in AWS shared-credentials
 * format (profile `coffer`). The region is there too: botocore reads it from
 * the credentials file, so the AWS CLI works with no other configuration.
 */
async function ensureAdminCredentials(config: CofferConfig, accessKeys: AccessKeyStore, path: string, logger: Logger): Promise<void> {
  if ((await accessKeys.count()) > 0) {
    // The key pair is still valid; only its copy is gone. Written once, never again: say so rather than fail silently.
    if (!existsSync(path)) logger.warn({ path }, 'the administrator credentials file is missing: its key pair still works wherever it was copied; it is not written again');
    return;
  }
  const { accessKeyId, secretAccessKey } = await accessKeys.create(`arn:${config.partition}:iam::${config.accountId}:root`);
  writeFileSync(path, `[coffer]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\nregion = ${config.region}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}
