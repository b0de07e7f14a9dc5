import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
import { FileRootKeyProvider, PassphraseRootKeyProvider, RootKey, type RootKeyProvider } from '../keys/root-key.js';
import { createLogger } from '../log/logger.js';
import { SecretReader } from '../secrets/secret-reader.js';
import { SecretService } from '../secrets/secret-service.js';
import { SqliteStorage } from '../storage/sqlite/sqlite-storage.js';
import { Sweeper } from './sweeper.js';

const BODY_LIMIT = 1024 * 1024;
const ROOT_CHECK = 'coffer-root-key-check';

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

  const { storage, keys, accessKeys, credentialsPath } = await openData(config, { shared: options.shared });
  const secrets = new SecretService(storage, keys);
  const reader = new SecretReader(storage, secrets.cipher);
  const admin = new KeyAdmin(storage, keys);

  const verifier = new SigV4Verifier(accessKeys, { verifySignatures: !config.dev, clock: options.clock });
  const dispatcher = new Dispatcher({
    services: [secretsManagerService({ secrets, reader }), kmsService({ keys, admin })],
    verifier,
    logger,
    account: config.accountId,
    partition: config.partition,
    bodyLimit: BODY_LIMIT,
    clock: options.clock,
  });
  const server = new HttpServer(dispatcher, {
    tls,
    health: async () => (await storage.settings.get(ROOT_CHECK)) !== undefined,
  });
  const address = await server.listen(config.port, config.host);
  const sweeper = new Sweeper(
    [
      { done: 'purged secrets whose recovery window ended', run: (now) => secrets.purgeExpired(now) },
      { done: 'destroyed keys whose deletion window ended', run: (now) => admin.destroyDue(now) },
      { done: 'rotated keys whose rotation period ended', run: (now) => admin.rotateDue(now) },
    ],
    logger,
    options.clock,
  );
  if (options.sweeper ?? true) sweeper.start(config.sweepIntervalSeconds * 1000);

  return {
    url: endpointUrl(address.address, address.port, tls !== undefined),
    credentialsPath,
    async close() {
      await server.close();
      await sweeper.stop();
      await storage.close();
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
    },
  };
}

/**
 * Opens (and on first start creates) the data directory, the database, the
 * root key and the administrator credentials.
 */
async function openData(config: CofferConfig, options: { shared?: boolean }) {
  let storage: SqliteStorage;
  let rootKey: RootKey;
  if (config.dev) {
    storage = SqliteStorage.open(':memory:');
    rootKey = new RootKey(randomBytes(32));
  } else {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    chmodSync(config.dataDir, 0o700);
    storage = SqliteStorage.open(join(config.dataDir, 'coffer.db'), options);
    rootKey = rootKeyProvider(config).load();
  }
  try {
    await checkRootKey(storage, rootKey);
    const keys = new KeyService(storage, rootKey);
    const accessKeys = new AccessKeyStore(storage, rootKey);
    const credentialsPath = config.dev ? undefined : await ensureAdminCredentials(config, accessKeys);
    return { storage, rootKey, keys, accessKeys, credentialsPath };
  } catch (error) {
    await storage.close();
    throw error;
  }
}

/**
 * First-start work done once, before cluster workers start: they then find the
 * data directory, root key and credentials in place. Returns the credentials path.
 */
export async function initializeData(config: CofferConfig): Promise<string | undefined> {
  const { storage, credentialsPath } = await openData(config, {});
  await storage.close();
  return credentialsPath;
}

function rootKeyProvider(config: CofferConfig): RootKeyProvider {
  return config.rootPassphrase
    ? new PassphraseRootKeyProvider(config.rootPassphrase, join(config.dataDir, 'root-key.salt'))
    : new FileRootKeyProvider(join(config.dataDir, 'root-key'));
}

/** A value sealed with the root key at first start tells a wrong key (or passphrase) at every later start. */
async function checkRootKey(storage: SqliteStorage, rootKey: RootKey): Promise<void> {
  const stored = await storage.settings.get(ROOT_CHECK);
  if (stored === undefined) {
    const sealed = rootKey.seal(randomBytes(32), ROOT_CHECK).toString('base64');
    await storage.transaction((tx) => tx.settings.set(ROOT_CHECK, sealed));
    return;
  }
  try {
    rootKey.open(Buffer.from(stored, 'base64'), ROOT_CHECK);
  } catch {
    throw new Error('the root key does not open this database: wrong key file or passphrase');
  }
}

/**
 * On first start: an administrator key pair, written in AWS shared-credentials
 * format (profile `coffer`). The region is there too: botocore reads it from
 * the credentials file, so the AWS CLI works with no other configuration.
 */
async function ensureAdminCredentials(config: CofferConfig, accessKeys: AccessKeyStore): Promise<string> {
  const path = join(config.dataDir, 'credentials');
  if ((await accessKeys.count()) > 0) return path;
  const { accessKeyId, secretAccessKey } = await accessKeys.create(`arn:${config.partition}:iam::${config.accountId}:root`);
  writeFileSync(path, `[coffer]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\nregion = ${config.region}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}
