import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { migrations } from '../../src/storage/sqlite/migrations.js';
import type { Db } from '../../src/storage/sqlite/sqlite-database.js';
import { storageContract } from './storage-contract.js';
import { ExpiredCursorError } from '../../src/storage/secret-changes.js';
import { sharedChangesTests } from './shared-changes.js';

storageContract('SqliteStorage (:memory:)', async () => SqliteStorage.open(':memory:'));

const contractDir = mkdtempSync(join(tmpdir(), 'coffer-storage-contract-'));
let files = 0;
storageContract(
  'SqliteStorage (file)',
  async () => SqliteStorage.open(join(contractDir, `contract-${++files}.db`)),
  async () => rmSync(contractDir, { recursive: true, force: true }),
);

describe('SqliteStorage on a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-sqlite-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const freshPath = () => join(dir, `db-${++n}.sqlite`);

  test('the database is in WAL mode, held exclusively, and syncs FULL with foreign keys on', async () => {
    const path = freshPath();
    const storage = SqliteStorage.open(path);
    try {
      // The storage holds the file exclusively: a second connection cannot read it.
      const other = new Database(path, { readonly: true, timeout: 100 });
      try {
        assert.throws(() => other.pragma('journal_mode', { simple: true }), /locked/);
      } finally {
        other.close();
      }
      // The storage's own connection shows its settings.
      const db = (storage as unknown as { db: Db }).db;
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('synchronous', { simple: true }), 2, 'FULL');
      assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    } finally {
      await storage.close();
    }
  });

  test('migrations are recorded in schema_migrations, and re-opening runs none of them twice', async () => {
    const path = freshPath();
    const first = SqliteStorage.open(path);
    await first.settings.set('survives', 'reopen');
    await first.close();

    const read = () => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all() as {
          version: number;
          applied_at: number;
        }[];
      } finally {
        db.close();
      }
    };
    const recorded = read();
    assert.deepEqual(
      recorded.map((r) => r.version),
      migrations.map((m) => m.version).sort((a, b) => a - b),
    );
    assert.ok(recorded.every((r) => Number.isInteger(r.applied_at) && r.applied_at > 0));

    // A migration run twice would fail (CREATE TABLE of an existing table) or add rows.
    for (let i = 0; i < 2; i++) {
      const again = SqliteStorage.open(path);
      assert.equal(await again.settings.get('survives'), 'reopen');
      await again.close();
    }
    assert.deepEqual(read(), recorded, 'same rows, same applied_at');
  });

  test('a file migrated by a newer build (a schema version this one does not know) is refused, naming the file, and left as it is', async () => {
    const path = freshPath();
    await SqliteStorage.open(path).close();
    const future = Math.max(...migrations.map((m) => m.version)) + 1;
    const db = new Database(path);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, 1)').run(future);
    db.close();
    assert.throws(() => SqliteStorage.open(path), new RegExp(`${path}: the schema is at version ${future}, newer than this Coffer knows`));
    const after = new Database(path, { readonly: true });
    assert.equal(after.prepare('SELECT max(version) FROM schema_migrations').pluck().get(), future);
    after.close();
  });

  test('committed units survive a re-open and a failed unit leaves nothing behind', async () => {
    const path = freshPath();
    const storage = SqliteStorage.open(path);
    await storage.transaction(async (tx) => {
      await tx.settings.set('committed', 'yes');
    });
    await assert.rejects(
      storage.transaction(async (tx) => {
        await tx.settings.set('failed', 'yes');
        throw new Error('abort');
      }),
    );
    await storage.close();

    const reopened = SqliteStorage.open(path);
    try {
      assert.equal(await reopened.settings.get('committed'), 'yes');
      assert.equal(await reopened.settings.get('failed'), undefined);
    } finally {
      await reopened.close();
    }
  });
});

describe('SqliteStorage read cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-read-cache-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const key = { account: '111122223333', region: 'us-east-1', name: 'cached' };

  async function seed(storage: SqliteStorage): Promise<number> {
    return storage.transaction(async (tx) => {
      const secret = await tx.secrets.insert({
        account: key.account, region: key.region, name: key.name, arn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:cached-AbCdEf',
        tags: [], createdAt: 1, lastChangedAt: 1,
      });
      await tx.secrets.insertVersion({ secretId: secret.id, versionId: 'v1', createdAt: 1, valueType: 'string', ciphertext: Buffer.from('c1'), wrappedDataKey: Buffer.from('k1') });
      await tx.secrets.setStages(secret.id, new Map([['AWSCURRENT', 'v1']]));
      return secret.id;
    });
  }

  async function putVersion(storage: SqliteStorage, secretId: number, versionId: string): Promise<void> {
    await storage.transaction(async (tx) => {
      await tx.secrets.insertVersion({ secretId, versionId, createdAt: 2, valueType: 'string', ciphertext: Buffer.from(versionId), wrappedDataKey: Buffer.from('k') });
      await tx.secrets.setStages(secretId, new Map([['AWSCURRENT', versionId]]));
    });
  }

  const current = async (storage: SqliteStorage) => (await storage.secrets.findWithStagedVersion(key, 'AWSCURRENT'))?.version?.versionId;

  test('a committed unit of work, or a write outside one, is seen by the next read', async () => {
    const storage = SqliteStorage.open(join(dir, 'one.db'));
    try {
      const id = await seed(storage);
      assert.equal(await current(storage), 'v1');
      await putVersion(storage, id, 'v2');
      assert.equal(await current(storage), 'v2');
      await storage.secrets.setStages(id, new Map([['AWSCURRENT', 'v1']]));
      assert.equal(await current(storage), 'v1');
      const found = await storage.secrets.findWithStagedVersion(key, 'AWSCURRENT');
      assert.throws(() => ((found!.secret as { name: string }).name = 'changed'), TypeError, 'cached records are frozen');
    } finally {
      await storage.close();
    }
  });

  test('with a shared file, a write committed by another process (connection) is seen by the next read', async () => {
    const path = join(dir, 'shared.db');
    const reader = SqliteStorage.open(path, { shared: true });
    const writer = SqliteStorage.open(path, { shared: true });
    try {
      const id = await seed(writer);
      await reader.syncChanges();
      assert.equal(await current(reader), 'v1');
      await putVersion(writer, id, 'v2');
      // A request first applies what other processes committed (the access key store calls it).
      await reader.syncChanges();
      assert.equal(await current(reader), 'v2');
      // Both may write: a busy lock is retried, not failed.
      await Promise.all([putVersion(writer, id, 'v3'), putVersion(reader, id, 'v4')]);
      await reader.syncChanges();
      assert.ok(['v3', 'v4'].includes((await current(reader))!));
      assert.equal(await current(reader), await current(writer));
    } finally {
      await reader.close();
      await writer.close();
    }
  });
});

const sharedDir = mkdtempSync(join(tmpdir(), 'coffer-sqlite-shared-'));
after(() => rmSync(sharedDir, { recursive: true, force: true }));
let sharedFiles = 0;
sharedChangesTests('SqliteStorage shared by worker processes', async () => {
  const path = join(sharedDir, `shared-${++sharedFiles}.db`);
  const a = SqliteStorage.open(path, { shared: true });
  const b = SqliteStorage.open(path, { shared: true });
  const raw = new Database(path);
  return {
    a,
    b,
    rawDescription: async (id, description) => void raw.prepare('UPDATE secrets SET description = ? WHERE id = ?').run(description, id),
    close: async () => {
      raw.close();
      await a.close();
      await b.close();
    },
  };
});

describe('SqliteStorage change log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-change-log-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('records older than the retention are pruned as the sequence passes a thousand; a cursor before them, or ahead of every record, is expired', async () => {
    const path = join(dir, 'log.db');
    const storage = SqliteStorage.open(path, { shared: true });
    const raw = new Database(path);
    const change = (name: string) => ({ type: 'VersionCreated' as const, secretId: 1, arn: `arn:${name}`, name });
    try {
      const { cursor: start } = await storage.readSecretChanges(undefined, 10);
      await storage.transaction(async (tx) => tx.noteSecretChange(change('old')));
      raw.prepare('UPDATE changes SET recorded_at = 0').run();
      await assert.rejects(storage.readSecretChanges('s999999', 10), ExpiredCursorError, 'a cursor ahead of every record');
      assert.deepEqual((await storage.readSecretChanges(start, 10)).changes.map((c) => c.name), ['old'], 'not pruned before the sequence passes a thousand');
      await storage.transaction(async (tx) => {
        for (let i = 0; i < 1000; i++) tx.noteSecretChange(change(`new-${i}`));
      });
      assert.equal(raw.prepare(`SELECT count(*) FROM changes WHERE event LIKE '%"name":"old"%'`).pluck().get(), 0);
      await assert.rejects(storage.readSecretChanges(start, 10), ExpiredCursorError);
      const { cursor } = await storage.readSecretChanges(undefined, 10);
      await storage.transaction(async (tx) => tx.noteSecretChange(change('after')));
      assert.deepEqual((await storage.readSecretChanges(cursor, 10)).changes.map((c) => c.name), ['after']);
    } finally {
      raw.close();
      await storage.close();
    }
  });
});
