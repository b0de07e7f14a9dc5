import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { KeyService } from '../../src/keys/key-service.js';
import { RootKey } from '../../src/keys/root-key.js';
import { Sweeper } from '../../src/app/sweeper.js';
import { DAY_MS } from '../../src/shared/days.js';
import type { RequestScope } from '../../src/shared/request-scope.js';
import { SecretService } from '../../src/secrets/secret-service.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';

const T0 = Date.UTC(2030, 0, 15, 12, 0, 0);
const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

let storage: SqliteStorage;
let secrets: SecretService;
let now: number;

const scope = (at = T0): RequestScope => ({ account: ACCOUNT, region: REGION, partition: 'aws', now: at });
const silent = pino({ level: 'silent' });
let tokenCounter = 0;
const token = () => `token-${String(++tokenCounter).padStart(26, '0')}`;

beforeEach(() => {
  storage = SqliteStorage.open(':memory:');
  secrets = new SecretService(storage, new KeyService(storage, new RootKey(randomBytes(32))));
  now = T0;
});
afterEach(async () => {
  await storage.close();
});

function sweeper(): Sweeper {
  return new Sweeper([{ done: 'purged secrets', run: async (at) => (await secrets.purgeExpired(at)).length }], silent, () => now);
}

async function createSecret(name: string): Promise<string> {
  const created = await secrets.create(scope(), { Name: name, SecretString: `value of ${name}`, ClientRequestToken: token() });
  return created.ARN;
}

const find = (name: string) => storage.secrets.findByName(ACCOUNT, REGION, name);

test('a secret is purged only once its DeletionDate has come, with all its versions', async () => {
  await createSecret('doomed');
  await secrets.putValue(scope(), { SecretId: 'doomed', SecretString: 'second', ClientRequestToken: token() });
  const deleted = await secrets.delete(scope(), { SecretId: 'doomed', RecoveryWindowInDays: 7 });
  assert.equal(deleted.DeletionDate, T0 + 7 * DAY_MS);
  const id = (await find('doomed'))!.id;
  assert.equal((await storage.secrets.versions(id)).length, 2);

  now = T0 + 7 * DAY_MS - 1;
  await sweeper().sweep();
  const kept = await find('doomed');
  assert.ok(kept, 'one millisecond before the DeletionDate the secret is still there');
  assert.equal(kept.deletedAt, T0);
  assert.equal(kept.deletionDate, T0 + 7 * DAY_MS);

  now = T0 + 7 * DAY_MS;
  await sweeper().sweep();
  assert.equal(await find('doomed'), undefined);
  assert.deepEqual(await storage.secrets.versions(id), []);
});

test('each secret keeps its own window; live and restored secrets are never purged', async () => {
  await createSecret('seven');
  await createSecret('thirty');
  await createSecret('live');
  await createSecret('restored');
  await secrets.delete(scope(), { SecretId: 'seven', RecoveryWindowInDays: 7 });
  await secrets.delete(scope(), { SecretId: 'thirty' });
  await secrets.delete(scope(), { SecretId: 'restored', RecoveryWindowInDays: 7 });
  await secrets.restore(scope(T0 + DAY_MS), 'restored');

  now = T0 + 8 * DAY_MS;
  await sweeper().sweep();
  assert.equal(await find('seven'), undefined);
  assert.ok(await find('thirty'));
  assert.ok(await find('live'));
  assert.ok(await find('restored'));

  now = T0 + 30 * DAY_MS;
  await sweeper().sweep();
  assert.equal(await find('thirty'), undefined);
  assert.ok(await find('live'));
  assert.ok(await find('restored'));
});

test('a purge frees the name: creating it again gives a new ARN', async () => {
  const arn = await createSecret('reused');
  await secrets.delete(scope(), { SecretId: 'reused', RecoveryWindowInDays: 7 });
  now = T0 + 7 * DAY_MS;
  await sweeper().sweep();
  const again = await secrets.create(scope(now), { Name: 'reused', SecretString: 'new', ClientRequestToken: token() });
  assert.notEqual(again.ARN, arn);
});

test('one sweep purges more secrets than fit in one batch', async () => {
  const names = Array.from({ length: 130 }, (_, i) => `bulk-${i}`);
  for (const name of names) {
    await createSecret(name);
    await secrets.delete(scope(), { SecretId: name, RecoveryWindowInDays: 7 });
  }
  now = T0 + 7 * DAY_MS;
  await sweeper().sweep();
  for (const name of names) assert.equal(await find(name), undefined, name);
});

test('the interval timer sweeps on its own and stop() waits for it', async () => {
  await createSecret('timed');
  await secrets.delete(scope(), { SecretId: 'timed', RecoveryWindowInDays: 7 });
  const running = sweeper();
  now = T0 + 6 * DAY_MS;
  running.start(5);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(await find('timed'), 'not due yet');
  now = T0 + 7 * DAY_MS;
  const deadline = Date.now() + 2000;
  while ((await find('timed')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  await running.stop();
  assert.equal(await find('timed'), undefined);
});

test('while the wall clock is not trusted only tasks that depend on no time run', async () => {
  const ran: string[] = [];
  const task = (done: string, anyTime?: boolean) => ({ done, anyTime, run: async () => (ran.push(done), 0) });
  const untrusted = new Sweeper([task('purge'), task('retry replicas', true)], silent, () => undefined);
  await untrusted.sweep();
  assert.deepEqual(ran, ['retry replicas']);
  await new Sweeper([task('purge'), task('retry replicas', true)], silent, () => now).sweep();
  assert.deepEqual(ran, ['retry replicas', 'purge', 'retry replicas']);
});
