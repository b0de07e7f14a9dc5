// Units that wrap under the root key while a rotation runs: each is stored
// under the key the database ends up under, or refused (503, retryable);
// never stored under a key the rotation then destroys. On SQLite the one
// writer orders them; on PostgreSQL (SERIALIZABLE) each such unit reads the
// root key's generation, which the rotation writes, so the two conflict.
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
import { PostgresStorage } from '../../src/storage/postgres/pg-storage.js';
import type { Storage } from '../../src/storage/index.js';
import { ServiceError } from '../../src/errors/service-error.js';
import { throwawayDatabase } from '../support/postgres-database.js';

// Awaited before any test is declared: a test declared after an await may start once the others (and the file's after hooks) are done.
const database = await throwawayDatabase('PostgreSQL: a server to rotate the root key on');
const root = mkdtempSync(join(tmpdir(), 'coffer-root-races-'));
after(() => rmSync(root, { recursive: true, force: true }));
const logger = pino({ level: 'silent' });
const scope = { account: '000000000000', region: 'us-east-1', partition: 'aws' };
const EXISTING = 150;
const CONCURRENT = 40;

async function rotateWhileWrapping(storage: Storage): Promise<void> {
  const dir = mkdtempSync(join(root, 'd-'));
  const ring = new RootKeyRing();
  const manager = new RootKeyManager(storage, ring, new RootKeyFiles(dir), new FileRootKeyProvider(), logger, async () => undefined);
  await manager.start();
  const keys = new KeyService(storage, ring);
  const insert = () => storage.transaction((tx) => keys.insertKey(tx, scope, { description: 'k', keyManager: 'CUSTOMER' }, Date.now()));
  for (let i = 0; i < EXISTING; i++) await insert();

  let refused = 0;
  for (let round = 0; round < 3; round++) {
    const wrapping = Array.from({ length: CONCURRENT }, async (_, i) => {
      // Spread over the rotation's unit.
      await new Promise((resolve) => setTimeout(resolve, i * 3));
      return insert();
    });
    const [rotated, ...inserted] = await Promise.allSettled([manager.rotate(new FileRootKeyProvider()), ...wrapping]);
    assert.equal(rotated.status, 'fulfilled', String((rotated as PromiseRejectedResult).reason));
    for (const outcome of inserted) {
      if (outcome.status === 'fulfilled') continue;
      const error = outcome.reason as Error;
      assert.ok(error instanceof ServiceError && error.status === 503, `a unit refused only as retryable: ${error.stack}`);
      refused++;
    }
  }
  let after: { keyId: string; version: number } | undefined;
  let opened = 0;
  for (;;) {
    const page = await storage.keys.allMaterials(after, 500);
    for (const m of page) {
      assert.doesNotThrow(() => ring.open(m.wrapped, materialPurpose(m.keyId, m.version)), `material of ${m.keyId} opens under the root key in place`);
      opened++;
    }
    if (page.length < 500) break;
    after = page[page.length - 1]!;
  }
  assert.equal(opened, EXISTING + 3 * CONCURRENT - refused);
}

test('SQLite: key material made while the root key rotates is all under the new key', async () => {
  const storage = SqliteStorage.open(join(mkdtempSync(join(root, 's-')), 'coffer.db'));
  try {
    await rotateWhileWrapping(storage);
  } finally {
    await storage.close();
  }
});

if (database) {
  after(() => database.drop());
  test('PostgreSQL: key material made while the root key rotates is all under the new key', async () => {
    const storage = await PostgresStorage.open({ url: database.url() });
    try {
      await rotateWhileWrapping(storage);
    } finally {
      await storage.close();
    }
  });
}
