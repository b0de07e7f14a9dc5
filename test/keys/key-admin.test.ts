// Key lifecycle with an injected clock: destruction at the end of the deletion
// window and automatic rotation on its period.
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ServiceError } from '../../src/errors/service-error.js';
import { KeyAdmin } from '../../src/keys/key-admin.js';
import { KeyService } from '../../src/keys/key-service.js';
import { RootKey } from '../../src/keys/root-key.js';
import { DAY_MS } from '../../src/shared/days.js';
import type { RequestScope } from '../../src/shared/request-scope.js';
import { SecretReader } from '../../src/secrets/secret-reader.js';
import { SecretService } from '../../src/secrets/secret-service.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';

const T0 = Date.UTC(2030, 0, 1);
const scope = (now = T0): RequestScope => ({ account: '000000000000', region: 'us-east-1', partition: 'aws', now });
const CONTEXT = { purpose: 'test' };

let storage: SqliteStorage;
let keys: KeyService;
let admin: KeyAdmin;

beforeEach(() => {
  storage = SqliteStorage.open(':memory:');
  keys = new KeyService(storage, new RootKey(randomBytes(32)));
  admin = new KeyAdmin(storage, keys);
});
afterEach(() => storage.close());

const code = (expected: string) => (error: unknown) => error instanceof ServiceError && error.code === expected;

test('a destroyed key leaves its ciphertexts undecryptable for good, and nothing else', async () => {
  const doomed = await admin.createKey(scope(), {});
  const kept = await admin.createKey(scope(), {});
  const lost = await keys.encrypt(doomed, Buffer.from('under the doomed key'), CONTEXT);
  const safe = await keys.encrypt(kept, Buffer.from('under the kept key'), CONTEXT);
  await admin.createAlias(scope(), 'alias/doomed', doomed.id);

  const secrets = new SecretService(storage, keys);
  const reader = new SecretReader(storage, secrets.cipher);
  await secrets.create(scope(), { Name: 'on-doomed', SecretString: 'lost value', KmsKeyId: doomed.arn, ClientRequestToken: 'a'.repeat(32) });
  await secrets.create(scope(), { Name: 'on-kept', SecretString: 'kept value', KmsKeyId: kept.arn, ClientRequestToken: 'b'.repeat(32) });
  await secrets.create(scope(), { Name: 'on-default', SecretString: 'default value', ClientRequestToken: 'c'.repeat(32) });

  await admin.scheduleDeletion(scope(), doomed.id, 7);
  assert.equal((await admin.destroyDue(T0 + 7 * DAY_MS - 1)).length, 0, 'not before the window ends');
  await admin.cancelDeletion(scope(), doomed.id);
  await admin.enable(scope(), doomed.id);
  assert.equal((await keys.decrypt(lost, CONTEXT)).plaintext.toString(), 'under the doomed key', 'cancelled in time, nothing lost');

  await admin.scheduleDeletion(scope(), doomed.id, 7);
  assert.equal((await admin.destroyDue(T0 + 7 * DAY_MS)).length, 1);

  await assert.rejects(keys.decrypt(lost, CONTEXT), code('InvalidCiphertextException'));
  await assert.rejects(keys.resolveKey(scope(), doomed.id), code('NotFoundException'));
  await assert.rejects(keys.resolveKey(scope(), 'alias/doomed'), code('NotFoundException'), 'its aliases went with it');
  await assert.rejects(admin.cancelDeletion(scope(), doomed.id), code('NotFoundException'));
  await assert.rejects(reader.getValue(scope(), { SecretId: 'on-doomed' }), code('DecryptionFailure'));

  assert.equal((await keys.decrypt(safe, CONTEXT)).plaintext.toString(), 'under the kept key');
  assert.equal((await reader.getValue(scope(), { SecretId: 'on-kept' })).SecretString, 'kept value');
  assert.equal((await reader.getValue(scope(), { SecretId: 'on-default' })).SecretString, 'default value');
  assert.equal((await storage.keys.materials(doomed.id)).length, 0, 'no material of it is left in storage');
});

test('automatic rotation adds material on its period; old ciphertexts still decrypt; disabled keys wait', async () => {
  const key = await admin.createKey(scope(), {});
  const idle = await admin.createKey(scope(), {});
  await admin.enableRotation(scope(), key.id, 90);
  await admin.enableRotation(scope(), idle.id, 90);
  await admin.disable(scope(), idle.id);
  const before = await keys.encrypt(key, Buffer.from('old material'), CONTEXT);

  assert.equal((await admin.rotateDue(T0 + 90 * DAY_MS - 1)).length, 0);
  assert.equal((await admin.rotateDue(T0 + 90 * DAY_MS)).length, 1, 'only the enabled key rotates');
  const rotated = await keys.resolveKey(scope(), key.id);
  assert.equal(rotated.currentMaterial, 2);
  assert.equal(rotated.nextRotationAt, T0 + 180 * DAY_MS);
  const materials = await storage.keys.materials(key.id);
  assert.deepEqual(materials.map((m) => m.rotationType), [undefined, 'AUTOMATIC']);

  const after = await keys.encrypt(rotated, Buffer.from('new material'), CONTEXT);
  assert.notDeepEqual(after.subarray(17, 21), before.subarray(17, 21), 'new ciphertexts name the new material');
  assert.equal((await keys.decrypt(before, CONTEXT)).plaintext.toString(), 'old material');
  assert.equal((await keys.decrypt(after, CONTEXT)).plaintext.toString(), 'new material');
  assert.equal((await keys.resolveKey(scope(), idle.id)).currentMaterial, 1);
});
