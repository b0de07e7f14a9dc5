// Two root key managers on one database, as two workers of a server are: a
// rotation or seal through one is followed by the other before it serves again.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { RootKeyManager } from '../../src/keys/root-key-manager.js';
import { RootKeyRing } from '../../src/keys/root-key.js';
import { RootKeyFiles } from '../../src/keys/root-key-files.js';
import { FileRootKeyProvider } from '../../src/keys/root-key-providers.js';
import { KeyService, materialPurpose } from '../../src/keys/key-service.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { ServiceError } from '../../src/errors/service-error.js';

const root = mkdtempSync(join(tmpdir(), 'coffer-root-follow-'));
after(() => rmSync(root, { recursive: true, force: true }));
const logger = pino({ level: 'silent' });
const scope = { account: '000000000000', region: 'us-east-1', partition: 'aws' };
/** The shared SQLite storage looks for other connections' commits once per turn of the event loop. */
/** What each signed request does first: bring the process up to date with the changes other processes committed. */
const nextRequest = (...processes: Process[]) => Promise.all(processes.map((p) => p.storage.syncChanges()));

interface Process {
  storage: SqliteStorage;
  ring: RootKeyRing;
  manager: RootKeyManager;
  /** How many times its caches of unwrapped material were emptied. */
  forgotten: number;
}

async function startProcess(dir: string, options: { keepSeal?: boolean } = {}): Promise<Process> {
  const storage = SqliteStorage.open(join(dir, 'coffer.db'), { shared: true });
  const ring = new RootKeyRing();
  const manager = new RootKeyManager(storage, ring, new RootKeyFiles(dir), new FileRootKeyProvider(), logger, async () => undefined);
  const worker: Process = { storage, ring, manager, forgotten: 0 };
  ring.whenLocked(() => worker.forgotten++);
  await manager.start(options);
  return worker;
}

async function withTwo(body: (a: Process, b: Process, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(root, 'd-'));
  const a = await startProcess(dir);
  const b = await startProcess(dir, { keepSeal: true });
  try {
    await body(a, b, dir);
  } finally {
    await a.storage.close();
    await b.storage.close();
  }
}

/** Key material stored through `a`, read back as wrapped. */
async function storedMaterial(a: Process): Promise<{ keyId: string; read: () => Promise<Buffer> }> {
  const keys = new KeyService(a.storage, a.ring);
  const key = await a.storage.transaction((tx) => keys.insertKey(tx, scope, { description: 'k', keyManager: 'CUSTOMER' }, Date.now()));
  return { keyId: key.id, read: async () => (await a.storage.keys.material(key.id, 1))!.wrapped };
}

test('a rotation through one worker: the other answers 503 (never an internal error) until it follows, then opens with the new key', async () => {
  await withTwo(async (a, b) => {
    const { keyId, read } = await storedMaterial(a);
    const plaintext = b.ring.open(await read(), materialPurpose(keyId, 1));
    assert.equal(await b.manager.sealed(), false);

    await a.manager.rotate(new FileRootKeyProvider());
    await nextRequest(b);
    const rewrapped = await read();
    assert.throws(
      () => b.ring.open(rewrapped, materialPurpose(keyId, 1)),
      (error: unknown) => error instanceof ServiceError && error.status === 503 && /root key changed/.test(error.message),
    );
    // Nor does it store anything under the old key meanwhile.
    const keysOfB = new KeyService(b.storage, b.ring);
    await assert.rejects(
      b.storage.transaction((tx) => keysOfB.insertKey(tx, scope, { description: 'stale', keyManager: 'CUSTOMER' }, Date.now())),
      (error: unknown) => error instanceof ServiceError && error.status === 503,
    );
    const forgottenBefore = b.forgotten;
    assert.equal(await b.manager.sealed(), false);
    assert.ok(b.forgotten > forgottenBefore, 'what was unwrapped under the old key is forgotten');
    assert.deepEqual(b.ring.open(rewrapped, materialPurpose(keyId, 1)), plaintext);

    // Rotated through the other one now: each follows the other, again and again.
    for (let i = 0; i < 3; i++) {
      await b.manager.rotate(new FileRootKeyProvider());
      await nextRequest(a);
      assert.equal(await a.manager.sealed(), false);
      assert.deepEqual(a.ring.open(await read(), materialPurpose(keyId, 1)), plaintext);
    }
  });
});

test('a seal through one worker seals the other before its next request; a start (not a replacement worker) unseals both', async () => {
  await withTwo(async (a, b, dir) => {
    const { keyId, read } = await storedMaterial(a);
    await a.manager.seal();
    await nextRequest(b);
    assert.equal(await b.manager.sealed(), true);
    assert.throws(() => b.ring.open(Buffer.alloc(64), materialPurpose(keyId, 1)), /sealed/);
    assert.equal((await b.manager.status()).sealed, true);

    const replacement = await startProcess(dir, { keepSeal: true });
    try {
      assert.equal(await replacement.manager.sealed(), true, 'a replacement worker keeps the seal');
    } finally {
      await replacement.storage.close();
    }

    const restarted = await startProcess(dir);
    try {
      assert.equal(await restarted.manager.sealed(), false);
      await nextRequest(a, b);
      for (const worker of [a, b]) {
        assert.equal(await worker.manager.sealed(), false, 'a file-provider worker loads its key again by itself');
        assert.ok(worker.ring.open(await read(), materialPurpose(keyId, 1)).length === 32);
      }
    } finally {
      await restarted.storage.close();
    }
  });
});
