import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresStorage } from '../../src/storage/postgres/pg-storage.js';
import { pgMigrations } from '../../src/storage/postgres/pg-migrations.js';
import { CommitOutcomeUnknown } from '../../src/storage/commit-outcome.js';
import { throwawayDatabase } from '../support/postgres-database.js';
import { storageContract } from './storage-contract.js';
import { CHANGE_RETENTION_MS, ExpiredCursorError } from '../../src/storage/secret-changes.js';
import { sharedChangesTests } from './shared-changes.js';

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

    test('nodes starting at once migrate once: the others wait on the lock and find the schema in place', async () => {
      const url = fresh();
      const opened = await Promise.allSettled([0, 1, 2].map(() => PostgresStorage.open({ url })));
      // Every one opens (nodes share the database); the migrations ran once, under the lock.
      for (const o of opened) assert.equal(o.status, 'fulfilled', String((o as PromiseRejectedResult).reason));
      for (const o of opened) await (o as PromiseFulfilledResult<PostgresStorage>).value.close();
      const { rows } = await database.query(`SELECT count(*)::int AS n FROM own_${n}.schema_migrations`);
      assert.equal(rows[0].n, pgMigrations.length);
    });

    test('a schema newer than this build knows is refused, and left as it is', async () => {
      const url = fresh();
      await (await PostgresStorage.open({ url })).close();
      const future = Math.max(...pgMigrations.map((m) => m.version)) + 1;
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

    test('a unit that rolls back drops locally what it may have cached, and records nothing', async () => {
      const url = fresh();
      const storage = await PostgresStorage.open({ url });
      try {
        const seen: string[] = [];
        storage.changes.subscribe((keys) => seen.push(...(keys === 'all' ? ['all'] : keys)));
        await assert.rejects(storage.transaction(async (tx) => { await tx.keys.rewrapMaterial('k', 1, Buffer.alloc(1)); throw new Error('no'); }));
        assert.deepEqual(seen, ['kms-key:k']);
        const { rows } = await database.query(`SELECT count(*)::int AS n FROM own_${n}.changes`);
        assert.equal(rows[0].n, 0);
      } finally {
        await storage.close();
      }
    });

    test('change records older than the retention are pruned by the node, and a cursor older than the retention is expired', async () => {
      const url = fresh();
      const storage = await PostgresStorage.open({ url });
      try {
        const { cursor } = await storage.readSecretChanges(undefined, 10);
        await storage.transaction(async (tx) => tx.noteSecretChange({ type: 'SecretPurged', secretId: 1, arn: 'arn:gone', name: 'gone' }));
        assert.equal((await storage.readSecretChanges(cursor, 10)).changes.length, 1);
        // The cursor says when its snapshot was taken: one from before the retention may have lost records.
        const decoded = JSON.parse(Buffer.from(cursor.slice(1), 'base64url').toString());
        const old = `p${Buffer.from(JSON.stringify({ ...decoded, t: decoded.t - CHANGE_RETENTION_MS })).toString('base64url')}`;
        await assert.rejects(storage.readSecretChanges(old, 10), ExpiredCursorError);
        await database.query(`UPDATE own_${n}.changes SET recorded_at = now() - interval '2 hours'`);
        await (storage as unknown as { maintain(): Promise<void> }).maintain();
        const { rows } = await database.query(`SELECT count(*)::int AS n FROM own_${n}.changes`);
        assert.equal(rows[0].n, 0);
      } finally {
        await storage.close();
      }
    });

    test('a unit whose connection is lost before its COMMIT is answered fails as of unknown outcome, which counts as a database failure', async () => {
      const schema = `own_${++n}`;
      const storage = await PostgresStorage.open({ url: database.url(schema) });
      try {
        const error = await storage
          .transaction(async (tx) => {
            // A write that names no change: COMMIT is then the unit's next statement.
            await tx.leases.acquire('lost', 'maybe', 60_000);
            // The unit's own connection is the one idle in a transaction: the database ends it.
            await database.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'coffer' AND state = 'idle in transaction' AND datname = $1`, [database.name]);
            await new Promise((resolve) => setTimeout(resolve, 200));
          })
          .then(
            () => assert.fail('the unit committed'),
            (caught: Error) => caught,
          );
        assert.ok(error instanceof CommitOutcomeUnknown, `${error.name}: ${error.message}`);
        assert.equal(storage.isWriteFailure(error), true);
        // The pool serves again at once: the broken connection was dropped.
        await storage.settings.set('after', 'yes');
        assert.equal(await storage.settings.get('after'), 'yes');
      } finally {
        await storage.close();
      }
    });
  });

  let pairs = 0;
  sharedChangesTests('PostgresStorage on two nodes', async () => {
    const schema = `pair_${++pairs}`;
    const a = await PostgresStorage.open({ url: database.url(schema) });
    const b = await PostgresStorage.open({ url: database.url(schema) });
    return {
      a,
      b,
      rawDescription: async (id, description) => void (await database.query(`UPDATE ${schema}.secrets SET description = $1 WHERE id = $2`, [description, id])),
      close: async () => {
        await a.close();
        await b.close();
      },
    };
  });
}
