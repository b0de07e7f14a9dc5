import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresStorage } from '../../src/storage/postgres/pg-storage.js';
import { pgMigrations } from '../../src/storage/postgres/pg-migrations.js';
import { throwawayDatabase } from '../support/postgres-database.js';
import { storageContract } from './storage-contract.js';

const database = await throwawayDatabase('PostgresStorage: a PostgreSQL server to test against');

if (database) {
  after(() => database.drop());
  // Every storage the contract opens lives in a schema of its own in the run's database.
  let schemas = 0;
  storageContract('PostgresStorage', async () => PostgresStorage.open({ url: database.url(`contract_${++schemas}`) }));

  describe('PostgresStorage on its database', () => {
    let n = 0;
    const fresh = () => database.url(`own_${++n}`);

    test('migrations are recorded in schema_migrations, and re-opening runs none of them twice', async () => {
      const url = fresh();
      const first = await PostgresStorage.open({ url });
      await first.settings.set('survives', 'reopen');
      await first.close();
      const schema = `own_${n}`;
      const read = async () => (await database.query(`SELECT version, applied_at FROM ${schema}.schema_migrations ORDER BY version`)).rows;
      const recorded = await read();
      assert.deepEqual(recorded.map((r) => r.version), pgMigrations.map((m) => m.version));
      for (let i = 0; i < 2; i++) {
        const again = await PostgresStorage.open({ url });
        assert.equal(await again.settings.get('survives'), 'reopen');
        await again.close();
      }
      assert.deepEqual(await read(), recorded, 'same rows, same applied_at');
    });

    test('servers starting at once migrate once: the others wait on the lock and find the schema in place', async () => {
      const url = fresh();
      const storages = await Promise.all([0, 1, 2].map(() => PostgresStorage.open({ url })));
      await Promise.all(storages.map((storage) => storage.close()));
      const { rows } = await database.query(`SELECT count(*)::int AS n FROM own_${n}.schema_migrations`);
      assert.equal(rows[0].n, pgMigrations.length);
    });

    test('a schema newer than this build knows is refused, and left as it is', async () => {
      const url = fresh();
      await (await PostgresStorage.open({ url })).close();
      const future = pgMigrations.length + 1;
      await database.query(`INSERT INTO own_${n}.schema_migrations (version, applied_at) VALUES ($1, 1)`, [future]);
      await assert.rejects(PostgresStorage.open({ url }), new RegExp(`schema is at version ${future}, newer than this Coffer knows`));
      const { rows } = await database.query(`SELECT max(version) AS v FROM own_${n}.schema_migrations`);
      assert.equal(rows[0].v, future);
    });

    test('units that collide are run again until each commits: read-modify-write on one row from 8 units at once', async () => {
      const storage = await PostgresStorage.open({ url: fresh() });
      try {
        await storage.settings.set('counter', '0');
        let runs = 0;
        const bump = () =>
          storage.transaction(async (tx) => {
            runs++;
            const value = Number(await tx.settings.get('counter'));
            await new Promise((resolve) => setTimeout(resolve, 5));
            await tx.settings.set('counter', String(value + 1));
          });
        await Promise.all(Array.from({ length: 8 }, bump));
        assert.equal(await storage.settings.get('counter'), '8');
        assert.ok(runs > 8, `the units overlapped and some ran again (${runs} runs)`);
      } finally {
        await storage.close();
      }
    });

    test('the change epoch moves when a unit ends, committed or rolled back, and not on a read', async () => {
      const storage = await PostgresStorage.open({ url: fresh() });
      try {
        const before = storage.changeEpoch();
        await storage.settings.set('a', '1');
        const afterWrite = storage.changeEpoch();
        assert.notEqual(afterWrite, before);
        await storage.settings.get('a');
        await storage.secrets.findWithStagedVersion({ account: '111122223333', region: 'us-east-1', name: 'none' }, 'AWSCURRENT');
        assert.equal(storage.changeEpoch(), afterWrite, 'a read moves nothing (so the read cache keeps what it loaded)');
        await assert.rejects(storage.transaction(async (tx) => { await tx.settings.set('b', '2'); throw new Error('no'); }));
        assert.notEqual(storage.changeEpoch(), afterWrite, 'what the unit read may have been cached');
      } finally {
        await storage.close();
      }
    });
  });
}
