import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { KeyService, type EncryptionContext } from '../../src/keys/key-service.js';
import type { Scope } from '../../src/shared/request-scope.js';
import { RootKey } from '../../src/keys/root-key.js';
import { open } from '../../src/keys/aes-gcm.js';
import { canonicalContext } from '../../src/keys/ciphertext-blob.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { ServiceError } from '../../src/errors/service-error.js';
import type { KmsKeyRecord, Storage } from '../../src/storage/index.js';

const SCOPE: Scope = { account: '111122223333', region: 'us-east-1', partition: 'aws' };
const OTHER_REGION: Scope = { ...SCOPE, region: 'us-west-2' };
const MANAGED = 'alias/aws/secretsmanager';
const CONTEXT: EncryptionContext = {
  SecretARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf',
  SecretVersionId: 'c3a1e2b4-0000-4000-8000-000000000001',
};

/** Key material is wrapped under this purpose (see KeyService); the tests unwrap it to inspect storage. */
const materialPurpose = (keyId: string, version: number) => `kms-key-material:${keyId}:${version}`;

async function withKeys(body: (ctx: { storage: Storage; rootBytes: Buffer; keys: KeyService }) => Promise<void>): Promise<void> {
  const storage = SqliteStorage.open(':memory:');
  const rootBytes = randomBytes(32);
  try {
    await body({ storage, rootBytes, keys: new KeyService(storage, new RootKey(Buffer.from(rootBytes))) });
  } finally {
    await storage.close();
  }
}

/** A customer key put straight into storage (KeyService has no CreateKey yet). */
async function insertKey(storage: Storage, rootBytes: Buffer, scope: Scope, state: KmsKeyRecord['state'] = 'Enabled'): Promise<KmsKeyRecord> {
  const id = randomUUID();
  const key: KmsKeyRecord = {
    id,
    account: scope.account,
    region: scope.region,
    arn: `arn:${scope.partition}:kms:${scope.region}:${scope.account}:key/${id}`,
    description: 'test key',
    keyManager: 'CUSTOMER',
    state,
    createdAt: Date.now(),
    currentMaterial: 1,
    policy: '{}',
    tags: [],
    onDemandRotations: 0,
  };
  const wrapped = new RootKey(rootBytes).seal(randomBytes(32), materialPurpose(id, 1));
  await storage.transaction((tx) => tx.keys.insert(key, { keyId: id, version: 1, wrapped, createdAt: key.createdAt, materialId: randomBytes(32).toString('hex') }));
  return key;
}

function kmsError(code: string, message?: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ServiceError, `not a ServiceError: ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.messageKey, 'message', 'KMS errors use a lowercase message');
    if (message !== undefined) assert.equal(error.message, message);
    return true;
  };
}

// --- the AWS-managed key -------------------------------------------------------------------

test('awsManagedKey creates the key once, with its alias, and returns the same key afterwards', async () => {
  await withKeys(async ({ storage, keys }) => {
    const key = await keys.awsManagedKey(SCOPE, MANAGED);
    assert.match(key.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(key.arn, `arn:aws:kms:us-east-1:111122223333:key/${key.id}`);
    assert.equal(key.account, SCOPE.account);
    assert.equal(key.region, SCOPE.region);
    assert.equal(key.keyManager, 'AWS');
    assert.equal(key.state, 'Enabled');
    assert.equal(key.currentMaterial, 1);
    assert.equal(key.description, 'Default key that protects my Secrets Manager data when no other key is defined');
    assert.equal((await storage.keys.findAlias(SCOPE.account, SCOPE.region, MANAGED))?.keyId, key.id);
    assert.ok(await storage.keys.material(key.id, 1));

    assert.equal((await keys.awsManagedKey(SCOPE, MANAGED)).id, key.id);
  });
});

test('awsManagedKey finds the stored key from a new KeyService on the same storage', async () => {
  await withKeys(async ({ storage, rootBytes, keys }) => {
    const key = await keys.awsManagedKey(SCOPE, MANAGED);
    const again = new KeyService(storage, new RootKey(Buffer.from(rootBytes)));
    assert.equal((await again.awsManagedKey(SCOPE, MANAGED)).id, key.id);
    // and the new service can use it
    const blob = await keys.encrypt(key, Buffer.from('x'), CONTEXT);
    assert.deepEqual((await again.decrypt(blob, CONTEXT)).plaintext, Buffer.from('x'));
  });
});

test('two services asking for the managed key at once end up with one key', async () => {
  await withKeys(async ({ storage, rootBytes, keys }) => {
    const other = new KeyService(storage, new RootKey(Buffer.from(rootBytes)));
    const [a, b, c] = await Promise.all([keys.awsManagedKey(SCOPE, MANAGED), other.awsManagedKey(SCOPE, MANAGED), keys.awsManagedKey(SCOPE, MANAGED)]);
    assert.equal(a.id, b.id);
    assert.equal(a.id, c.id);
  });
});

test('each region has its own managed key', async () => {
  await withKeys(async ({ keys }) => {
    const here = await keys.awsManagedKey(SCOPE, MANAGED);
    const there = await keys.awsManagedKey(OTHER_REGION, MANAGED);
    assert.notEqual(here.id, there.id);
    assert.equal(there.region, 'us-west-2');
    assert.equal(there.arn, `arn:aws:kms:us-west-2:111122223333:key/${there.id}`);
  });
});

// --- resolving key references --------------------------------------------------------------

test('resolveKey accepts a key id, key ARN, alias name and alias ARN', async () => {
  await withKeys(async ({ storage, rootBytes, keys }) => {
    const managed = await keys.awsManagedKey(SCOPE, MANAGED);
    const custom = await insertKey(storage, rootBytes, SCOPE);
    await storage.transaction((tx) =>
      tx.keys.insertAlias({ account: SCOPE.account, region: SCOPE.region, name: 'alias/app', keyId: custom.id, createdAt: 1, updatedAt: 1 }),
    );
    for (const ref of [managed.id, managed.arn, MANAGED, `arn:aws:kms:us-east-1:111122223333:${MANAGED}`]) {
      assert.equal((await keys.resolveKey(SCOPE, ref)).id, managed.id, ref);
    }
    for (const ref of [custom.id, custom.arn, 'alias/app', 'arn:aws:kms:us-east-1:111122223333:alias/app']) {
      assert.equal((await keys.resolveKey(SCOPE, ref)).id, custom.id, ref);
    }
  });
});

test('resolveKey of the managed alias creates the managed key on first use', async () => {
  await withKeys(async ({ storage, keys }) => {
    const key = await keys.resolveKey(SCOPE, MANAGED);
    assert.equal(key.keyManager, 'AWS');
    assert.equal((await storage.keys.findAlias(SCOPE.account, SCOPE.region, MANAGED))?.keyId, key.id);
  });
});

test('resolveKey of unknown references: NotFoundException with the AWS messages', async () => {
  await withKeys(async ({ storage, rootBytes, keys }) => {
    const missing = randomUUID();
    const elsewhere = await insertKey(storage, rootBytes, OTHER_REGION);
    const cases: [string, string][] = [
      [missing, `Key 'arn:aws:kms:us-east-1:111122223333:key/${missing}' does not exist`],
      [`arn:aws:kms:us-east-1:111122223333:key/${missing}`, `Key 'arn:aws:kms:us-east-1:111122223333:key/${missing}' does not exist`],
      // a key of another region, named by its id, is looked up in the caller's region
      [elsewhere.id, `Key 'arn:aws:kms:us-east-1:111122223333:key/${elsewhere.id}' does not exist`],
      ['fake-key-id', "Invalid keyId 'fake-key-id'"],
      [missing.replace(/-/g, ''), `Invalid keyId '${missing.replace(/-/g, '')}'`],
      // a well-formed multi-Region key id is a key that does not exist; a malformed one is not a key id
      [`mrk-${missing.replace(/-/g, '')}`, `Key 'arn:aws:kms:us-east-1:111122223333:key/mrk-${missing.replace(/-/g, '')}' does not exist`],
      ['mrk-1234', "Invalid keyId 'mrk-1234'"],
      ['alias/nope', 'Alias arn:aws:kms:us-east-1:111122223333:alias/nope is not found.'],
      ['arn:aws:kms:us-east-1:111122223333:alias/nope', 'Alias arn:aws:kms:us-east-1:111122223333:alias/nope is not found.'],
      [elsewhere.arn, 'Invalid arn us-west-2'],
      ['arn:aws:kms:us-west-2:111122223333:alias/app', 'Invalid arn us-west-2'],
    ];
    for (const [ref, message] of cases) {
      await assert.rejects(keys.resolveKey(SCOPE, ref), kmsError('NotFoundException', message), ref);
    }
    // An ARN of another account is not found either (the message is not pinned).
    await assert.rejects(keys.resolveKey(SCOPE, `arn:aws:kms:us-east-1:999999999999:key/${missing}`), kmsError('NotFoundException'));
  });
});

// --- encrypt / decrypt ---------------------------------------------------------------------

test('encrypt / decrypt round trip with an encryption context', async () => {
  await withKeys(async ({ keys }) => {
    const key = await keys.awsManagedKey(SCOPE, MANAGED);
    const plaintext = Buffer.from('{"password":"correct horse battery staple"}');
    const blob = await keys.encrypt(key, plaintext, CONTEXT);
    assert.equal(blob.includes(plaintext), false);
    const { plaintext: back, key: used } = await keys.decrypt(blob, CONTEXT);
    assert.deepEqual(back, plaintext);
    assert.equal(used.id, key.id);
    // the context's member order does not matter
    const reordered = { SecretVersionId: CONTEXT.SecretVersionId!, SecretARN: CONTEXT.SecretARN! };
    assert.deepEqual((await keys.decrypt(blob, reordered)).plaintext, plaintext);
    // the blob names its key: the expected key id is optional but honoured
    assert.deepEqual((await keys.decrypt(blob, CONTEXT, key.id)).plaintext, plaintext);
  });
});

test('the same plaintext encrypts differently each time', async () => {
  await withKeys(async ({ keys }) => {
    const key = await keys.awsManagedKey(SCOPE, MANAGED);
    const a = await keys.encrypt(key, Buffer.from('same'), CONTEXT);
    const b = await keys.encrypt(key, Buffer.from('same'), CONTEXT);
    assert.notDeepEqual(a, b);
  });
});

test('a wrong encryption context: InvalidCiphertextException with an empty message', async () => {
  await withKeys(async ({ keys }) => {
    const key = await keys.awsManagedKey(SCOPE, MANAGED);
    const blob = await keys.encrypt(key, Buffer.from('bound'), CONTEXT);
    const wrong: EncryptionContext[] = [
      { ...CONTEXT, SecretVersionId: 'c3a1e2b4-0000-4000-8000-000000000002' },
      { ...CONTEXT, SecretARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:other-AbCdEf' },
      { SecretARN: CONTEXT.SecretARN! },
      { ...CONTEXT, extra: 'member' },
      {},
    ];
    for (const context of wrong) {
      await assert.rejects(keys.decrypt(blob, context), kmsError('InvalidCiphertextException', ''), JSON.stringify(context));
    }
  });
});

test('an empty encryption context is the same as none', async () => {
  await withKeys(async ({ keys }) => {
    const key = await keys.awsManagedKey(SCOPE, MANAGED);
    const none = undefined as unknown as EncryptionContext; // what a KMS request without EncryptionContext carries
    const withEmpty = await keys.encrypt(key, Buffer.from('v'), {});
    assert.deepEqual((await keys.decrypt(withEmpty, none)).plaintext, Buffer.from('v'));
    const withNone = await keys.encrypt(key, Buffer.from('v'), none);
    assert.deepEqual((await keys.decrypt(withNone, {})).plaintext, Buffer.from('v'));
    await assert.rejects(keys.decrypt(withNone, { a: 'b' }), kmsError('InvalidCiphertextException'));
  });
});

test('a blob of another key with expectedKeyId: IncorrectKeyException', async () => {
  await withKeys(async ({ storage, rootBytes, keys }) => {
    const managed = await keys.awsManagedKey(SCOPE, MANAGED);
    const custom = await insertKey(storage, rootBytes, SCOPE);
    const blob = await keys.encrypt(custom, Buffer.from('mine'), CONTEXT);
    await assert.rejects(
      keys.decrypt(blob, CONTEXT, managed.id),
      kmsError('IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.'),
    );
    assert.deepEqual((await keys.decrypt(blob, CONTEXT, custom.id)).plaintext, Buffer.from('mine'));
  });
});

test('garbage and damaged blobs: InvalidCiphertextException', async () => {
  await withKeys(async ({ keys }) => {
    const key = await keys.awsManagedKey(SCOPE, MANAGED);
    const blob = await keys.encrypt(key, Buffer.from('intact'), CONTEXT);
    const flipped = (index: number) => {
      const copy = Buffer.from(blob);
      copy[index]! ^= 0x80;
      return copy;
    };
    const unknownKey = Buffer.from(blob);
    Buffer.from(randomUUID().replace(/-/g, ''), 'hex').copy(unknownKey, 1);
    const cases: [string, Buffer][] = [
      ['empty', Buffer.alloc(0)],
      ['random bytes', randomBytes(120)],
      ['random bytes with our format byte', Buffer.concat([Buffer.of(1), randomBytes(119)])],
      ['truncated', blob.subarray(0, blob.length - 1)],
      ['header only', blob.subarray(0, 21)],
      ['format byte changed', flipped(0)],
      ['key id of no key', unknownKey],
      ['material version changed', flipped(20)],
      ['iv changed', flipped(21)],
      ['tag changed', flipped(21 + 12)],
      ['ciphertext changed', flipped(blob.length - 1)],
    ];
    for (const [what, bad] of cases) {
      await assert.rejects(keys.decrypt(bad, CONTEXT), kmsError('InvalidCiphertextException'), what);
    }
  });
});

test('disabled and pending-deletion keys neither encrypt nor decrypt', async () => {
  await withKeys(async ({ storage, rootBytes, keys }) => {
    const disabled = await insertKey(storage, rootBytes, SCOPE, 'Disabled');
    await assert.rejects(keys.encrypt(disabled, Buffer.from('x'), CONTEXT), kmsError('DisabledException', `${disabled.arn} is disabled.`));
    const pending = await insertKey(storage, rootBytes, SCOPE, 'PendingDeletion');
    await assert.rejects(keys.encrypt(pending, Buffer.from('x'), CONTEXT), kmsError('KMSInvalidStateException', `${pending.arn} is pending deletion.`));
    // A blob made while the key was enabled does not decrypt once it is disabled.
    const blob = await keys.encrypt({ ...disabled, state: 'Enabled' }, Buffer.from('x'), CONTEXT);
    await assert.rejects(keys.decrypt(blob, CONTEXT), kmsError('DisabledException'));
  });
});

// --- data keys -----------------------------------------------------------------------------

test('generateDataKey: a 32-byte key whose blob decrypts back to it', async () => {
  await withKeys(async ({ keys }) => {
    const key = await keys.awsManagedKey(SCOPE, MANAGED);
    const dataKey = await keys.generateDataKey(key, CONTEXT);
    assert.equal(dataKey.plaintext.length, 32);
    assert.equal(dataKey.keyArn, key.arn);
    assert.equal(dataKey.ciphertextBlob.includes(dataKey.plaintext), false);
    assert.deepEqual((await keys.decrypt(dataKey.ciphertextBlob, CONTEXT)).plaintext, dataKey.plaintext);
    await assert.rejects(keys.decrypt(dataKey.ciphertextBlob, {}), kmsError('InvalidCiphertextException'));

    const other = await keys.generateDataKey(key, CONTEXT);
    assert.notDeepEqual(other.plaintext, dataKey.plaintext);
    assert.equal((await keys.generateDataKey(key, CONTEXT, 64)).plaintext.length, 64);
  });
});

// --- what reaches storage ------------------------------------------------------------------

test('key material is stored only wrapped by the root key', async () => {
  await withKeys(async ({ storage, rootBytes, keys }) => {
    const key = await keys.awsManagedKey(SCOPE, MANAGED);
    const record = await storage.keys.material(key.id, 1);
    assert.ok(record);
    // Unwrap it with a fresh RootKey made from the same bytes.
    const material = new RootKey(Buffer.from(rootBytes)).open(record.wrapped, materialPurpose(key.id, 1));
    assert.equal(material.length, 32);
    assert.equal(record.wrapped.includes(material), false, 'the stored material contains the plaintext material');
    assert.equal(record.wrapped.includes(material.subarray(0, 8)), false);
    assert.equal(record.wrapped.includes(rootBytes), false, 'the root key is stored');

    // It is the material that really encrypts: open a blob by hand with it.
    const blob = await keys.encrypt(key, Buffer.from('by hand'), CONTEXT);
    const header = blob.subarray(0, 21);
    assert.deepEqual(open(material, blob.subarray(21), Buffer.concat([header, canonicalContext(CONTEXT)])), Buffer.from('by hand'));

    // Material is bound to its key: it does not unwrap under another key's purpose.
    assert.throws(() => new RootKey(Buffer.from(rootBytes)).open(record.wrapped, materialPurpose(randomUUID(), 1)));
  });
});

test('another root key cannot decrypt, nor encrypt with, the stored keys', async () => {
  await withKeys(async ({ storage, keys }) => {
    const key = await keys.awsManagedKey(SCOPE, MANAGED);
    const blob = await keys.encrypt(key, Buffer.from('secret'), CONTEXT);
    const impostor = new KeyService(storage, new RootKey(randomBytes(32)));
    await assert.rejects(impostor.decrypt(blob, CONTEXT));
    await assert.rejects(impostor.encrypt(key, Buffer.from('x'), CONTEXT));
    // the rightful service still can
    assert.deepEqual((await keys.decrypt(blob, CONTEXT)).plaintext, Buffer.from('secret'));
  });
});
