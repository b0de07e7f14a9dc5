// Two nodes on one PostgreSQL database: when one changes a KMS key (disables it), the other
// forgets that key's unwrapped material by itself, told by the database's notification, before
// any request of its own.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { KeyService } from '../../src/keys/key-service.js';
import type { Scope } from '../../src/shared/request-scope.js';
import { RootKey } from '../../src/keys/root-key.js';
import { PostgresStorage } from '../../src/storage/postgres/pg-storage.js';
import { throwawayDatabase } from '../support/postgres-database.js';

const SCOPE: Scope = { account: '111122223333', region: 'us-east-1', partition: 'aws' };
const database = await throwawayDatabase('key material on two nodes: a PostgreSQL server to test against');

if (database) {
  after(() => database.drop());

  test("a key changed on one node has its material forgotten on the other, with no request there", { timeout: 60_000 }, async () => {
    const rootBytes = randomBytes(32);
    const a = await PostgresStorage.open({ url: database.url() });
    const b = await PostgresStorage.open({ url: database.url() });
    try {
      const keysA = new KeyService(a, new RootKey(Buffer.from(rootBytes)));
      const keysB = new KeyService(b, new RootKey(Buffer.from(rootBytes)));
      const key = await a.transaction((tx) => keysA.insertKey(tx, SCOPE, { description: 'shared', keyManager: 'CUSTOMER' }, Date.now()));
      // The key's creation is a change too: let node B take it in before it caches anything.
      await b.syncChanges();
      const encryptOnB = () => keysB.encrypt(key, Buffer.from('x'), {}).then(() => 'encrypted', (e: Error) => e.name);
      assert.equal(await encryptOnB(), 'encrypted');
      // Behind both nodes' backs: only material node B still holds can encrypt now.
      await database.query('DELETE FROM kms_key_materials WHERE key_id = $1', [key.id]);
      assert.equal(await encryptOnB(), 'encrypted', 'node B encrypts with the material it holds');
      await a.transaction((tx) => tx.keys.update({ ...key, state: 'Disabled' }));
      // Node B is told at A's commit; its material goes without B reading anything.
      const deadline = Date.now() + 30_000;
      let result = await encryptOnB();
      while (result === 'encrypted' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        result = await encryptOnB();
      }
      assert.equal(result, 'InvalidCiphertextException', 'node B no longer holds the material');
    } finally {
      await a.close();
      await b.close();
    }
  });
}
