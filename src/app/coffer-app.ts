import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { kmsService } from '../api/kms/kms-service.js';
import { secretsManagerService } from '../api/secretsmanager/secrets-manager-service.js';
import { isLoopback, type CofferConfig } from '../config/config.js';
import { Dispatcher } from '../http/dispatcher.js';
import { endpointUrl, HttpServer } from '../http/server.js';
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
import { cloudTrailService } from '../api/cloudtrail/cloudtrail-service.js';
import { iamService } from '../api/iam/iam-service.js';
import { stsService } from '../api/sts/sts-service.js';
import { IamDirectory } from '../iam/directory/iam-directory.js';
import { RootKeyManager } from './root-key-manager.js';
import { createLogger } from '../log/logger.js';
import { SecretReader } from '../secrets/secret-reader.js';
import { SecretService } from '../secrets/secret-service.js';
import { SqliteStorage } from '../storage/sqlite/sqlite-storage.js';
import { PostgresStorage } from '../storage/postgres/pg-storage.js';
import { redactedUrl } from '../storage/postgres/pg-connection.js';
import type { Storage } from '../storage/index.js';
import { Sweeper } from './sweeper.js';
import { backgroundTasks } from './background-tasks.js';
import { serviceEventRecorder } from '../audit/service-events.js';
import { setUpRotation } from './rotation-setup.js';
import { AuditLog } from '../audit/audit-log.js';
import { Authorizer } from '../iam/authorizer.js';
import { AuditSigningKey } from '../audit/audit-signing-key.js';
import { AUDIT_DB_FILE, openAuditDatabase } from '../storage/sqlite/audit-database.js';
import type { SecretsApiDeps } from '../api/secretsmanager/deps.js';
import { RotationFunctionService } from '../rotation/rotation-function-service.js';

const BODY_LIMIT = 1024 * 1024;

export interface RunningCoffer {
  url: string;
  /** The shared-credentials file holding the administrator key (absent in --dev mode). */
  credentialsPath?: string;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: () => number;
  logger?: Logger;
  /** This process is one of several workers sharing the port and the database. */
  shared?: boolean;
  /** Run the background sweeper here (in a cluster, one worker does). */
  sweeper?: boolean;
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

  const { storage, keys, accessKeys, ring, rootKeys, credentialsPath, auditKey } = await openData(config, { shared: options.shared, logger }).catch(
    async (error: unknown) => {
      // The caller exits on this error: let the log destination finish opening first.
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
      throw error;
    },
  );
  // Opened after the database: its migrations move an earlier version's audit log into audit.db.
  const audit = await AuditLog.open({
    path: config.dev ? ':memory:' : join(config.dataDir, AUDIT_DB_FILE),
    shared: options.shared,
    files: config.auditFiles,
    sinkTimeoutMs: config.auditSinkTimeoutMs,
    signingKey: () => auditKey.get(),
    logger,
    clock: options.clock,
  }).catch(async (error: unknown) => {
    await storage.close();
    throw error;
  });
  if (!config.dev) tightenDataFiles(config.dataDir);
  const secrets = new SecretService(storage, keys);
  const reader = new SecretReader(storage, secrets.cipher);
  const admin = new KeyAdmin(storage, keys);

  const events = serviceEventRecorder(audit, options.clock);
  const rotationFunctions = new RotationFunctionService(storage, ring);
  // The rotation service is set once it exists: it runs functions through this same API.
  const secretsApi = { secrets, reader, keys } as SecretsApiDeps;
  const secretsManager = secretsManagerService(secretsApi);
  let url = '';
  const rotation = setUpRotation({
    storage,
    secretsManager,
    accessKeys,
    functions: rotationFunctions,
    logger,
    partition: config.partition,
    endpointUrl: () => url,
    paused: () => ring.sealed,
    clock: options.clock,
    events,
  });
  secretsApi.rotation = rotation.service;

  const verifier = new SigV4Verifier(accessKeys, { verifySignatures: !config.dev, clock: options.clock });
  const directory = new IamDirectory(storage, accessKeys);
  const dispatcher = new Dispatcher({
    services: [
      secretsManager,
      kmsService({ keys, admin }),
      rotationFunctionsService({ functions: rotationFunctions }),
      cloudTrailService({ audit }),
      iamService({ directory }),
      stsService({ directory }),
      ...(rootKeys ? [operatorService({ rootKeys, rootKeyProvider: (request) => rootKeyProvider({ ...config, ...request }) })] : []),
    ],
    sealed: () => ring.sealed,
    audit,
    authorizer: new Authorizer(directory),
    verifier,
    logger,
    account: config.accountId,
    partition: config.partition,
    defaultRegion: config.region,
    bodyLimit: BODY_LIMIT,
    clock: options.clock,
  });
  const server = new HttpServer(dispatcher, {
    tls,
    health: async () => !ring.sealed && audit.writable,
  });
  const address = await server.listen(config.port, config.host);
  const sweeper = new Sweeper(
    backgroundTasks({ secrets, admin, accessKeys, events }),
    logger,
    options.clock,
  );
  url = endpointUrl(address.address, address.port, tls !== undefined);
  if (options.sweeper ?? true) {
    audit.startDigests(config.auditDigestIntervalSeconds * 1000);
    sweeper.start(config.sweepIntervalSeconds * 1000);
    rotation.scheduler.start();
  }

  return {
    url,
    credentialsPath,
    async close() {
      await server.close();
      await sweeper.stop();
      await rotation.scheduler.stop();
      await rotation.runner.idle();
      await audit.close();
      await storage.close();
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
    },
  };
}

/**
 * Opens (and on first start creates) the data directory, the database, the
 * root key and the administrator credentials. A shamir server opens sealed.
 */
async function openData(config: CofferConfig, options: { shared?: boolean; logger: Logger }) {
  if (config.dev) {
    const storage = SqliteStorage.open(':memory:');
    const ring = new RootKeyRing(new RootKey(randomBytes(32)));
    const auditKey = new AuditSigningKey(storage, ring);
    return { storage, ring, keys: new KeyService(storage, ring), accessKeys: new AccessKeyStore(storage, ring), rootKeys: undefined, credentialsPath: undefined, auditKey };
  }
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(config.dataDir, 0o700);
  const storage = await openStorage(config, options);
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
      await auditKey.publish();
    });
    await rootKeys.start();
    return { storage, ring, keys, accessKeys, rootKeys, credentialsPath, auditKey };
  } catch (error) {
    await storage.close();
    throw error;
  }
}

/** The data directory's SQLite file, or the PostgreSQL database `--storage` names. */
async function openStorage(config: CofferConfig, options: { shared?: boolean; logger: Logger }): Promise<Storage> {
  if (!config.storage) return SqliteStorage.open(join(config.dataDir, 'coffer.db'), options);
  const storage = await PostgresStorage.open(config.storage);
  options.logger.info({ storage: redactedUrl(config.storage.url) }, 'data in PostgreSQL');
  return storage;
}

/**
 * First-start work done once, before cluster workers start: they then find the
 * data directory, root key and credentials in place. Returns the credentials path.
 */
export async function initializeData(config: CofferConfig): Promise<string | undefined> {
  const { storage, credentialsPath } = await openData(config, { logger: createLogger(config.logLevel, config.logFile) });
  await storage.close();
  // The audit database too, so that the workers find its schema in place.
  openAuditDatabase(join(config.dataDir, AUDIT_DB_FILE)).close();
  tightenDataFiles(config.dataDir);
  return credentialsPath;
}

/** The databases and their WAL files are readable by the server's user alone, like the directory and root key. */
function tightenDataFiles(dataDir: string): void {
  for (const database of ['coffer.db', AUDIT_DB_FILE]) {
    for (const suffix of ['', '-wal', '-shm']) {
      const path = join(dataDir, database + suffix);
      if (existsSync(path)) chmodSync(path, 0o600);
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
