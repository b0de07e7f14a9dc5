// KMS key states and key material with @aws-sdk/client-kms against a live server:
// EnableKey / DisableKey, ScheduleKeyDeletion / CancelKeyDeletion, and rotation
// (EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand,
// ListKeyRotations), including what the AWS-managed key refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CancelKeyDeletionCommand,
  DecryptCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetKeyRotationStatusCommand,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  UpdateKeyDescriptionCommand,
  type GetKeyRotationStatusCommandOutput,
  type RotationsListEntry,
} from '@aws-sdk/client-kms';
import { rejectsWith } from '../support/sdk-errors.js';
import {
  DAY_MS,
  KEY_MATERIAL_ID,
  KmsMessages,
  assertNear,
  createKey,
  createKeyWithAlias,
  describeKey,
  keyArnOf,
  refused,
  sharedKmsServer,
  utf8,
  type Key,
} from '../support/kms-client.js';

const shared = sharedKmsServer();

const rotationStatus = (keyId: string): Promise<GetKeyRotationStatusCommandOutput> =>
  shared.kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));

async function encrypt(keyId: string, text: string): Promise<Uint8Array> {
  return (await shared.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: utf8(text) }))).CiphertextBlob!;
}

/** Asserts the state DescribeKey reports, and that Enabled agrees with it. */
async function assertState(key: Key, state: 'Enabled' | 'Disabled' | 'PendingDeletion'): Promise<Key> {
  const now = await describeKey(shared.kms, key.KeyId);
  assert.equal(now.KeyState, state);
  assert.equal(now.Enabled, state === 'Enabled');
  if (state !== 'PendingDeletion') assert.equal(now.DeletionDate, undefined, 'DeletionDate on a key not pending deletion');
  return now;
}

/** A response KeyId that names `key`: AWS answers some operations with the key id, some with the ARN. */
function assertNamesKey(keyId: string | undefined, key: Key, what: string): void {
  assert.ok(keyId === key.KeyId || keyId === key.Arn, `${what}: KeyId ${keyId} names neither ${key.KeyId} nor its ARN`);
}

/**
 * RotateKeyOnDemand, then waits until the new material is current (AWS rotates
 * asynchronously; a local server may finish at once). Returns the new KeyMaterialId.
 */
async function rotateNow(key: Key): Promise<string> {
  const before = (await describeKey(shared.kms, key.KeyId)).CurrentKeyMaterialId;
  const out = await shared.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
  // AWS answers with the key's ARN, as GetKeyRotationStatus does, whatever form named it.
  assert.equal(out.KeyId, key.Arn, 'RotateKeyOnDemand KeyId');
  for (let attempt = 0; attempt < 100; attempt++) {
    const current = (await describeKey(shared.kms, key.KeyId)).CurrentKeyMaterialId!;
    if (current !== before) {
      assert.match(current, KEY_MATERIAL_ID);
      return current;
    }
    await sleep(100);
  }
  assert.fail(`CurrentKeyMaterialId still ${before} 10 s after RotateKeyOnDemand`);
}

async function listRotations(key: Key, all = false): Promise<RotationsListEntry[]> {
  const out = await shared.kms.send(
    new ListKeyRotationsCommand({ KeyId: key.Arn, IncludeKeyMaterial: all ? 'ALL_KEY_MATERIAL' : undefined }),
  );
  assert.equal(out.Truncated, false);
  return out.Rotations!;
}

// --- EnableKey / DisableKey -------------------------------------------------------------------

test('DisableKey and EnableKey move a key between Enabled and Disabled; repeating either changes nothing', async () => {
  const key = await createKey(shared.kms);
  await shared.kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
  await assertState(key, 'Disabled');
  await shared.kms.send(new DisableKeyCommand({ KeyId: key.Arn }));
  await assertState(key, 'Disabled');
  await shared.kms.send(new EnableKeyCommand({ KeyId: key.Arn }));
  await assertState(key, 'Enabled');
  await shared.kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
  const after = await assertState(key, 'Enabled');
  // Nothing but the state moves.
  assert.deepEqual(after, key);
});

test('state operations on an unknown key are NotFoundException', async () => {
  const missing = randomUUID();
  const message = KmsMessages.keyNotFound(keyArnOf(missing));
  await rejectsWith(shared.kms.send(new DisableKeyCommand({ KeyId: missing })), 'NotFoundException', message);
  await rejectsWith(shared.kms.send(new EnableKeyCommand({ KeyId: keyArnOf(missing) })), 'NotFoundException', message);
  await rejectsWith(shared.kms.send(new ScheduleKeyDeletionCommand({ KeyId: missing })), 'NotFoundException', message);
  await rejectsWith(shared.kms.send(new CancelKeyDeletionCommand({ KeyId: missing })), 'NotFoundException', message);
});

// --- ScheduleKeyDeletion / CancelKeyDeletion -------------------------------------------------

test('ScheduleKeyDeletion without a window waits 30 days; the response and DescribeKey say so', async () => {
  const key = await createKey(shared.kms);
  const before = Date.now();
  const out = await shared.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId }));
  assert.equal(out.KeyId, key.Arn);
  assert.equal(out.KeyState, 'PendingDeletion');
  assert.equal(out.PendingWindowInDays, 30);
  // AWS may round the date up to a day boundary.
  assertNear(out.DeletionDate, before + 30 * DAY_MS + DAY_MS / 2, DAY_MS / 2 + 60_000, 'DeletionDate');
  const described = await assertState(key, 'PendingDeletion');
  assert.equal(described.DeletionDate?.getTime(), out.DeletionDate!.getTime());
});

test('ScheduleKeyDeletion takes a window of 7 to 30 days, from Enabled or Disabled', async () => {
  const enabled = await createKey(shared.kms);
  const out7 = await shared.kms.send(new ScheduleKeyDeletionCommand({ KeyId: enabled.Arn, PendingWindowInDays: 7 }));
  assert.equal(out7.PendingWindowInDays, 7);
  assertNear(out7.DeletionDate, Date.now() + 7 * DAY_MS + DAY_MS / 2, DAY_MS / 2 + 60_000, 'DeletionDate (7 days)');

  const disabled = await createKey(shared.kms);
  await shared.kms.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
  const out30 = await shared.kms.send(new ScheduleKeyDeletionCommand({ KeyId: disabled.KeyId, PendingWindowInDays: 30 }));
  assert.equal(out30.PendingWindowInDays, 30);
  await assertState(disabled, 'PendingDeletion');
});

test('ScheduleKeyDeletion with a window outside 7-30 days is ValidationException and changes nothing', async () => {
  const key = await createKey(shared.kms);
  for (const days of [6, 31, 0, 366]) {
    await rejectsWith(shared.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: days })), 'ValidationException');
  }
  await assertState(key, 'Enabled');
});

test('a key pending deletion: state changes are KMSInvalidStateException "<ARN> is pending deletion."; reads work', async () => {
  const { key, alias } = await createKeyWithAlias(shared.kms, 'pending');
  await shared.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
  const message = KmsMessages.pendingDeletion(key.Arn);
  await rejectsWith(shared.kms.send(new DisableKeyCommand({ KeyId: key.KeyId })), 'KMSInvalidStateException', message);
  await rejectsWith(shared.kms.send(new EnableKeyCommand({ KeyId: key.KeyId })), 'KMSInvalidStateException', message);
  await rejectsWith(shared.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 10 })), 'KMSInvalidStateException', message);
  await rejectsWith(shared.kms.send(new UpdateKeyDescriptionCommand({ KeyId: key.KeyId, Description: 'x' })), 'KMSInvalidStateException', message);
  await rejectsWith(shared.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })), 'KMSInvalidStateException', message);
  await rejectsWith(shared.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })), 'KMSInvalidStateException', message);
  // DescribeKey (also through the alias) and ListAliases still answer.
  assert.equal((await describeKey(shared.kms, alias)).KeyState, 'PendingDeletion');
  const aliases = await shared.kms.send(new ListAliasesCommand({ KeyId: key.KeyId }));
  assert.deepEqual(aliases.Aliases!.map((a) => a.AliasName), [alias]);
});

test('CancelKeyDeletion leaves the key Disabled; after EnableKey its old ciphertexts decrypt again', async () => {
  const key = await createKey(shared.kms);
  const blob = await encrypt(key.KeyId, 'kept');
  await shared.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
  const out = await shared.kms.send(new CancelKeyDeletionCommand({ KeyId: key.Arn }));
  assert.equal(out.KeyId, key.Arn);
  await assertState(key, 'Disabled');
  await rejectsWith(encrypt(key.KeyId, 'x'), 'DisabledException', KmsMessages.disabled(key.Arn));

  await shared.kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
  await assertState(key, 'Enabled');
  const opened = await shared.kms.send(new DecryptCommand({ CiphertextBlob: blob }));
  assert.equal(Buffer.from(opened.Plaintext!).toString(), 'kept');
});

test('CancelKeyDeletion of a key not pending deletion is KMSInvalidStateException "<ARN> is not pending deletion."', async () => {
  const key = await createKey(shared.kms);
  await rejectsWith(shared.kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId })), 'KMSInvalidStateException', KmsMessages.notPendingDeletion(key.Arn));
  await shared.kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
  await rejectsWith(shared.kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId })), 'KMSInvalidStateException', KmsMessages.notPendingDeletion(key.Arn));
});

// --- Automatic rotation settings --------------------------------------------------------------

test('a new key has rotation off; EnableKeyRotation without a period rotates every 365 days', async () => {
  const key = await createKey(shared.kms);
  const off = await rotationStatus(key.KeyId);
  assert.equal(off.KeyRotationEnabled, false);
  assert.equal(off.NextRotationDate, undefined);
  assertNamesKey(off.KeyId, key, 'GetKeyRotationStatus');

  const before = Date.now();
  await shared.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId }));
  const on = await rotationStatus(key.Arn);
  assert.equal(on.KeyRotationEnabled, true);
  assert.equal(on.RotationPeriodInDays, 365);
  assertNear(on.NextRotationDate, before + 365 * DAY_MS, DAY_MS + 60_000, 'NextRotationDate');
});

test('EnableKeyRotation takes a period of 90 to 2560 days and can be called again to change it', async () => {
  const key = await createKey(shared.kms);
  for (const days of [90, 2560, 180]) {
    const before = Date.now();
    await shared.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: days }));
    const status = await rotationStatus(key.KeyId);
    assert.equal(status.KeyRotationEnabled, true, `${days}`);
    assert.equal(status.RotationPeriodInDays, days);
    assertNear(status.NextRotationDate, before + days * DAY_MS, DAY_MS + 60_000, `NextRotationDate (${days} days)`);
  }
  for (const days of [89, 2561]) {
    await rejectsWith(shared.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: days })), 'ValidationException');
  }
  assert.equal((await rotationStatus(key.KeyId)).RotationPeriodInDays, 180);
});

test('DisableKeyRotation turns automatic rotation off', async () => {
  const key = await createKey(shared.kms);
  await shared.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId }));
  await shared.kms.send(new DisableKeyRotationCommand({ KeyId: key.Arn }));
  const status = await rotationStatus(key.KeyId);
  assert.equal(status.KeyRotationEnabled, false);
  assert.equal(status.NextRotationDate, undefined);
});

test('a disabled key keeps its rotation setting but refuses rotation changes with DisabledException', async () => {
  const key = await createKey(shared.kms);
  await shared.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 120 }));
  await shared.kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
  const status = await rotationStatus(key.KeyId);
  assert.equal(status.KeyRotationEnabled, true);
  assert.equal(status.RotationPeriodInDays, 120);
  const message = KmsMessages.disabled(key.Arn);
  await rejectsWith(shared.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })), 'DisabledException', message);
  await rejectsWith(shared.kms.send(new DisableKeyRotationCommand({ KeyId: key.KeyId })), 'DisabledException', message);
  await rejectsWith(shared.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })), 'DisabledException', message);
});

test('a key pending deletion reports rotation off; CancelKeyDeletion brings the setting back', async () => {
  const key = await createKey(shared.kms);
  await shared.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 200 }));
  await shared.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
  assert.equal((await rotationStatus(key.KeyId)).KeyRotationEnabled, false);
  await shared.kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
  const restored = await rotationStatus(key.KeyId);
  assert.equal(restored.KeyRotationEnabled, true);
  assert.equal(restored.RotationPeriodInDays, 200);
});

// --- RotateKeyOnDemand / ListKeyRotations -----------------------------------------------------

test('RotateKeyOnDemand: new material for new ciphertexts; ciphertexts made before still decrypt with the old', async () => {
  const { key, alias } = await createKeyWithAlias(shared.kms, 'rotate');
  const original = key.CurrentKeyMaterialId!;
  const oldBlob = await encrypt(key.KeyId, 'before rotation');

  const rotated = await rotateNow(key);
  assert.notEqual(rotated, original);

  const oldOpened = await shared.kms.send(new DecryptCommand({ CiphertextBlob: oldBlob }));
  assert.equal(Buffer.from(oldOpened.Plaintext!).toString(), 'before rotation');
  assert.equal(oldOpened.KeyMaterialId, original);

  const newOpened = await shared.kms.send(new DecryptCommand({ CiphertextBlob: await encrypt(alias, 'after rotation') }));
  assert.equal(Buffer.from(newOpened.Plaintext!).toString(), 'after rotation');
  assert.equal(newOpened.KeyMaterialId, rotated);
  assert.equal((await shared.kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }))).KeyMaterialId, rotated);

  // ReEncrypt moves an old ciphertext onto the current material.
  const moved = await shared.kms.send(new ReEncryptCommand({ CiphertextBlob: oldBlob, DestinationKeyId: key.KeyId }));
  assert.equal(moved.SourceKeyMaterialId, original);
  assert.equal(moved.DestinationKeyMaterialId, rotated);

  // Only the material changed: same id, ARN, state, alias; automatic rotation still off.
  const { CurrentKeyMaterialId, ...rest } = await describeKey(shared.kms, alias);
  const { CurrentKeyMaterialId: _, ...before } = key;
  assert.deepEqual(rest, before);
  assert.equal((await rotationStatus(key.KeyId)).KeyRotationEnabled, false);
});

test('ListKeyRotations lists on-demand rotations; ALL_KEY_MATERIAL adds the original material', async () => {
  const key = await createKey(shared.kms);
  assert.deepEqual(await listRotations(key), []);
  const original = key.CurrentKeyMaterialId!;
  const before = Date.now();
  const first = await rotateNow(key);
  const second = await rotateNow(key);

  const rotations = await listRotations(key);
  assert.deepEqual(rotations.map((r) => r.KeyMaterialId).sort(), [first, second].sort());
  for (const rotation of rotations) {
    assertNamesKey(rotation.KeyId, key, 'ListKeyRotations');
    assert.equal(rotation.RotationType, 'ON_DEMAND');
    assertNear(rotation.RotationDate, before, 60_000, 'RotationDate');
    assert.equal(rotation.KeyMaterialState, rotation.KeyMaterialId === second ? 'CURRENT' : 'NON_CURRENT');
  }

  const all = await listRotations(key, true);
  assert.deepEqual(all.map((r) => r.KeyMaterialId).sort(), [original, first, second].sort());
  assert.equal(all.find((r) => r.KeyMaterialId === original)?.KeyMaterialState, 'NON_CURRENT');
});

test('RotateKeyOnDemand leaves the automatic rotation schedule where it was', async () => {
  const key = await createKey(shared.kms);
  await shared.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 180 }));
  const scheduled = (await rotationStatus(key.KeyId)).NextRotationDate!;
  await rotateNow(key);
  const after = await rotationStatus(key.KeyId);
  assert.equal(after.KeyRotationEnabled, true);
  assert.equal(after.RotationPeriodInDays, 180);
  assert.equal(after.NextRotationDate?.getTime(), scheduled.getTime());
});

test('RotateKeyOnDemand allows 25 rotations per key, then LimitExceededException', async () => {
  const key = await createKey(shared.kms);
  const blob = await encrypt(key.KeyId, 'survives 25 rotations');
  for (let i = 0; i < 25; i++) await rotateNow(key);
  await rejectsWith(
    shared.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })),
    'LimitExceededException',
    `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.Arn}`,
  );
  assert.equal((await listRotations(key)).length, 25);
  const opened = await shared.kms.send(new DecryptCommand({ CiphertextBlob: blob }));
  assert.equal(Buffer.from(opened.Plaintext!).toString(), 'survives 25 rotations');
});

// --- The AWS-managed key ----------------------------------------------------------------------

test('the AWS-managed key cannot be disabled, scheduled for deletion or have its rotation changed; it always rotates', async () => {
  const managed = await describeKey(shared.kms, 'alias/aws/secretsmanager');
  const id = managed.KeyId;
  await refused(shared.kms.send(new DisableKeyCommand({ KeyId: id })), 'DisableKey');
  await refused(shared.kms.send(new ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: 7 })), 'ScheduleKeyDeletion');
  await refused(shared.kms.send(new EnableKeyRotationCommand({ KeyId: id, RotationPeriodInDays: 90 })), 'EnableKeyRotation');
  await refused(shared.kms.send(new DisableKeyRotationCommand({ KeyId: id })), 'DisableKeyRotation');
  await refused(shared.kms.send(new RotateKeyOnDemandCommand({ KeyId: id })), 'RotateKeyOnDemand');
  assert.equal((await rotationStatus(id)).KeyRotationEnabled, true);
  assert.deepEqual(await describeKey(shared.kms, id), managed);
});
