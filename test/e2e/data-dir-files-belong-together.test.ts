// A new store is made only in an empty data directory. One whose files are
// missing, emptied or from another data directory is refused at start with a
// message naming the file (never started as a new, empty store that rewrites
// the credentials); --accept-data-loss starts it once a person decided so.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig, readCredentials, startServer, tempDir } from '../support/coffer-server.js';
import { rejectsWith } from '../support/sdk-errors.js';
import { dataDirFixture, refusedAfter, refusedStart, removeDataDirs, startsAndServes } from '../support/data-dir-faults.js';

const fixture = dataDirFixture();
const copies: string[] = [];

after(() => removeDataDirs(...copies));

test('an empty data directory (or one holding only files that are not Coffer’s) starts a new store', async () => {
  const dir = join(tempDir(), 'data');
  copies.push(dir);
  mkdirSync(dir);
  writeFileSync(join(dir, 'server.log'), 'a log file kept beside the data\n');
  await startsAndServes(dir);
  // And starts again on what it made.
  await startsAndServes(dir);
});

test('a data directory made before its files named their deployment is adopted, not refused', async () => {
  const dir = fixture.copy();
  for (const database of ['coffer.db', 'audit.db']) {
    const db = new Database(join(dir, database));
    db.exec('DROP TABLE data_dir');
    db.close();
  }
  await startsAndServes(dir);
  // Bound together from then on.
  copyFileSync(join(fixture.other, 'audit.db'), join(dir, 'audit.db'));
  await refusedStart(dir, /belong to different data directories/);
});

test('coffer.db deleted while the root key and credentials are there: refused, naming coffer.db; credentials untouched', async () => {
  let credentials = '';
  let dir = '';
  const message = await refusedAfter(
    fixture,
    (copy) => {
      dir = copy;
      credentials = readFileSync(join(copy, 'credentials'), 'utf8');
      rmSync(join(copy, 'coffer.db'));
    },
    /coffer\.db is missing/,
  );
  assert.match(message, /root-key/);
  assert.match(message, /--accept-data-loss/);
  assert.equal(readFileSync(join(dir, 'credentials'), 'utf8'), credentials);
});

test('coffer.db emptied: refused, naming coffer.db', async () => {
  await refusedAfter(fixture, (dir) => writeFileSync(join(dir, 'coffer.db'), ''), /coffer\.db is empty/);
});

test("coffer.db replaced by another data directory's: refused, naming coffer.db", async () => {
  await refusedAfter(fixture, (dir) => copyFileSync(join(fixture.other, 'coffer.db'), join(dir, 'coffer.db')), /audit\.db and coffer\.db belong to different data directories/);
});

test('root-key deleted: refused, naming it', async () => {
  await refusedAfter(fixture, (dir) => rmSync(join(dir, 'root-key')), /root-key.*missing/);
});

test("root-key replaced by another data directory's: refused, naming it", async () => {
  await refusedAfter(fixture, (dir) => copyFileSync(join(fixture.other, 'root-key'), join(dir, 'root-key')), /root key does not open this database.*root-key/);
});

test('--accept-data-loss starts on a data directory whose coffer.db was deleted, as a new store with new credentials', async () => {
  const dir = fixture.copy();
  const before = readCredentials(join(dir, 'credentials'));
  rmSync(join(dir, 'coffer.db'));
  const server = await startServer({ dataDir: dir, args: ['--accept-data-loss'] });
  const client = new SecretsManagerClient(clientConfig(server));
  try {
    assert.notEqual(server.accessKeyId, before.accessKeyId);
    await rejectsWith(client.send(new GetSecretValueCommand({ SecretId: fixture.names[0] })), 'ResourceNotFoundException');
  } finally {
    client.destroy();
    assert.equal(await server.stop(), 0);
  }
  // The loss is accepted once; the data directory now belongs together.
  await startsAndServes(dir);
});

test('--workers 2 starts on an empty data directory and on its own, and refuses one that lost coffer.db', async () => {
  const dir = join(tempDir(), 'data');
  copies.push(dir);
  await startsAndServes(dir, ['--workers', '2']);
  await startsAndServes(dir, ['--workers', '2']);
  rmSync(join(dir, 'coffer.db'));
  await refusedStart(dir, /coffer\.db is missing/, ['--workers', '2']);
});
