// `coffer/client`'s SecretCache with the real SDK against a real server: values by version,
// refreshed from the change feed, one read in flight, TTL without a feed, the server away.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { SecretCache } from 'coffer/client';
import { clientConfig, startServer, type TestServer } from '../support/coffer-server.js';
import { iamQuery } from '../support/iam-query.js';
import { uniqueName } from '../support/sdk-errors.js';

let server: TestServer;
let admin: SecretsManagerClient;
const caches: SecretCache[] = [];

before(async () => {
  server = await startServer();
  admin = new SecretsManagerClient(clientConfig(server));
});
after(async () => {
  for (const cache of caches) await cache.close();
  admin.destroy();
  assert.equal(await server.stop(), 0);
  rmSync(dirname(server.dataDir), { recursive: true, force: true });
});

/** A cache on its own SDK client, counting the GetSecretValue calls that client sends. */
function cacheFor(options: ConstructorParameters<typeof SecretCache>[0] = {}, credentials?: { accessKeyId: string; secretAccessKey: string }) {
  const client = new SecretsManagerClient({ ...clientConfig(server), ...(credentials ? { credentials } : {}) });
  const reads = { count: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'GetSecretValueCommand') reads.count++;
      return next(args);
    },
    { step: 'initialize' },
  );
  const cache = new SecretCache({ client, ...options });
  caches.push(cache);
  return { cache, reads };
}

async function until(what: string, check: () => Promise<boolean>, ms = 1000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}

test('strings, JSON and binary values; a value is read once, however many callers ask at once', async () => {
  const { cache, reads } = cacheFor();
  const name = uniqueName('cache/db');
  await admin.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ user: 'app', port: 5432 }) }));
  const bin = uniqueName('cache/bin');
  await admin.send(new CreateSecretCommand({ Name: bin, SecretBinary: Buffer.from([1, 2, 3]) }));
  const all = await Promise.all(Array.from({ length: 50 }, () => cache.getSecretJson<{ user: string; port: number }>(name)));
  assert.deepEqual(all[49], { user: 'app', port: 5432 });
  assert.equal(reads.count, 1, 'one read for fifty callers');
  assert.deepEqual([...(await cache.getSecretBinary(bin))], [1, 2, 3]);
  await assert.rejects(cache.getSecretString(bin), /binary value/);
  assert.equal(await cache.getSecretString(name), JSON.stringify({ user: 'app', port: 5432 }));
  assert.equal(reads.count, 2);
});

test('against Coffer a new value is served within a second of its PutSecretValue, labels follow versions, and a deleted secret stops being served', async () => {
  const { cache, reads } = cacheFor();
  await cache.start();
  assert.equal(cache.following, true);
  const name = uniqueName('cache/rotated');
  const first = await admin.send(new CreateSecretCommand({ Name: name, SecretString: 'one' }));
  assert.equal(await cache.getSecretString(name), 'one');
  // The check that the caller hears of this secret is made once, beside the first read (read
  // again if the feed tells of the secret's creation meanwhile).
  await new Promise((resolve) => setTimeout(resolve, 200));
  const settled = reads.count;
  for (let i = 0; i < 20; i++) assert.equal(await cache.getSecretString(name), 'one');
  assert.equal(reads.count, settled, 'served from the cache meanwhile');

  await admin.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'two' }));
  const took = await until('the new value', async () => (await cache.getSecretString(name)) === 'two');
  assert.ok(took < 1000, `${took} ms`);
  // AWSPREVIOUS names a version already held, and a version read by id never changes.
  assert.equal(await cache.getSecretString(name, { versionId: first.VersionId }), 'one');
  const readsBefore = reads.count;
  await admin.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: first.VersionId, RemoveFromVersionId: (await cache.getSecretValue(name)).VersionId }));
  await until('the label moved back', async () => (await cache.getSecretString(name)) === 'one');
  assert.equal(reads.count, readsBefore, 'a label moved to a version held is followed without a read');
  assert.deepEqual((await cache.getSecretValue(name)).VersionStages, ['AWSCURRENT']);

  await admin.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
  await until('the deleted secret refused', () => cache.getSecretString(name).then(() => false, (e: Error) => e.name === 'InvalidRequestException'));
});

test('without the feed (or for a secret the caller may not DescribeSecret) values are read again after the TTL', async () => {
  const name = uniqueName('cache/ttl');
  await admin.send(new CreateSecretCommand({ Name: name, SecretString: 'old' }));
  const { cache: plain } = cacheFor({ changeFeed: false, ttlSeconds: 3 });
  const user = await iamQuery(server).userWith('cache-reader', [
    { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' },
  ]);
  const { cache: blind } = cacheFor({ ttlSeconds: 3 }, user.credentials);
  await blind.start();
  assert.equal(blind.following, true);
  const read = Date.now();
  for (const cache of [plain, blind]) assert.equal(await cache.getSecretString(name), 'old');
  await new Promise((resolve) => setTimeout(resolve, 300));
  await admin.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'new' }));
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const cache of [plain, blind]) assert.equal(await cache.getSecretString(name), 'old', 'within the TTL');
  assert.ok(Date.now() - read < 3000, 'still within the TTL');
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, read + 3200 - Date.now())));
  for (const cache of [plain, blind]) assert.equal(await cache.getSecretString(name), 'new', 'after the TTL');
});

test('a ttl of 0 caches nothing; refreshNow reads at once', async () => {
  const name = uniqueName('cache/none');
  await admin.send(new CreateSecretCommand({ Name: name, SecretString: 'a' }));
  const { cache, reads } = cacheFor({ ttlSeconds: 0 });
  await cache.getSecretString(name);
  await cache.getSecretString(name);
  assert.equal(reads.count, 2);
  const { cache: cached, reads: cachedReads } = cacheFor({ changeFeed: false });
  await cached.getSecretString(name);
  await cached.getSecretString(name, { refreshNow: true });
  assert.equal(cachedReads.count, 2);
});
