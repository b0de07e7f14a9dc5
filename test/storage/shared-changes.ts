import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Storage } from '../../src/storage/index.js';
import { readAll } from './change-log-contract.js';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';

/** Two storages on one database (two processes or nodes), and a way to change a row behind both. */
export interface SharedPair {
  a: Storage;
  b: Storage;
  /** Sets a secret's description directly in the database: no change record, so only a reload shows it. */
  rawDescription(id: number, description: string): Promise<void>;
  close(): Promise<void>;
}

async function createSecret(storage: Storage, name: string): Promise<number> {
  return storage.transaction(async (tx) => {
    const now = Date.now();
    const secret = await tx.secrets.insert({
      account: ACCOUNT, region: REGION, name, arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`,
      description: 'first', tags: [], createdAt: now, lastChangedAt: now,
    });
    return secret.id;
  });
}

/** What every storage shared by several processes or nodes must do with the caches of each. */
export function sharedChangesTests(label: string, open: () => Promise<SharedPair>): void {
  test(`${label}: a change on one reaches the other's cache, per entry; a lease renewal or a touch of another secret drops nothing`, async () => {
    const pair = await open();
    const { a, b } = pair;
    try {
      const one = await createSecret(a, 'one');
      const two = await createSecret(a, 'two');
      const read = async (name: string) => {
        await b.syncChanges();
        return (await b.secrets.findWithStagedVersion({ account: ACCOUNT, region: REGION, name }, 'AWSCURRENT'))!.secret.description;
      };
      assert.equal(await read('one'), 'first');
      assert.equal(await read('two'), 'first');
      await pair.rawDescription(one, 'behind the cache');
      assert.equal(await read('one'), 'first', 'the read is cached');
      // What the runner and the reads do every few seconds: none of it is cached data.
      for (let i = 0; i < 3; i++) await a.leases.acquire('background-runner', 'node-a', 30_000);
      await a.settings.set('write-probe', String(Date.now()));
      await a.transaction((tx) => tx.secrets.touchLastAccessed(two, 86_400_000));
      assert.equal(await read('one'), 'first', 'the cached read survives writes that change nothing cached');
      await a.transaction(async (tx) => tx.secrets.update({ ...(await tx.secrets.findByName(ACCOUNT, REGION, 'two'))!, description: 'second' }));
      assert.equal(await read('two'), 'second', 'the other node sees the change at once');
      assert.equal(await read('one'), 'first', 'a change to another secret keeps this one cached');
      await a.transaction(async (tx) => tx.secrets.update({ ...(await tx.secrets.findByName(ACCOUNT, REGION, 'one'))!, description: 'third' }));
      assert.equal(await read('one'), 'third');
    } finally {
      await pair.close();
    }
  });

  test(`${label}: a secret change noted on one is in the other's change log, and one following changes hears of it without a request`, async () => {
    const pair = await open();
    const { a, b } = pair;
    const stop = b.followChanges?.();
    try {
      const { cursor } = await b.readSecretChanges(undefined, 10);
      const heard = new Promise<readonly string[] | 'all'>((resolve) => b.changes.subscribe(resolve));
      const id = await createSecret(a, 'noted');
      await a.transaction(async (tx) => {
        tx.noteSecretChange({ type: 'VersionCreated', secretId: id, arn: 'arn:noted', name: 'noted', versionId: 'v1' });
      });
      const keys = await Promise.race([heard, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('not heard within 2 s')), 2000))]);
      assert.ok(keys === 'all' || keys.includes(`secret:${id}`), String(keys));
      assert.deepEqual((await readAll(b, cursor)).names, ['noted']);
    } finally {
      stop?.();
      await pair.close();
    }
  });
}
