// Hiding what the audit log recorded by removing, emptying or replacing
// audit.db (with another data directory's, or an older copy of its own), by
// deleting audit.db-wal after a crash, or by replacing the audit public key:
// each is refused at start with a message naming the file, never a new or
// shortened chain that `coffer audit verify` would call ok.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig, startServer } from '../support/coffer-server.js';
import { crashWithWalHoldingAcknowledged, dataDirFixture, overwrite, refusedAfter, refusedStart, removeDataDirs } from '../support/data-dir-faults.js';

const fixture = dataDirFixture();
let crashed: string | undefined;

after(() => removeDataDirs(crashed));

test('audit.db deleted: refused, naming audit.db', async () => {
  await refusedAfter(fixture, (dir) => rmSync(join(dir, 'audit.db')), /audit\.db is missing/);
});

test('audit.db emptied: refused, naming audit.db', async () => {
  await refusedAfter(fixture, (dir) => writeFileSync(join(dir, 'audit.db'), ''), /audit\.db is empty/);
});

test("audit.db replaced by another data directory's: refused, naming audit.db", async () => {
  await refusedAfter(fixture, (dir) => copyFileSync(join(fixture.other, 'audit.db'), join(dir, 'audit.db')), /audit\.db and coffer\.db belong to different data directories/);
});

test("audit-public-key.pem replaced by another data directory's: refused, naming it", async () => {
  await refusedAfter(
    fixture,
    (dir) => copyFileSync(join(fixture.other, 'audit-public-key.pem'), join(dir, 'audit-public-key.pem')),
    /audit-public-key\.pem is not the public key of this data directory/,
  );
});

test('audit.db put back as an older copy of itself after more requests: refused', async () => {
  const dir = fixture.copy();
  const older = join(dir, '..', 'audit.db.older');
  copyFileSync(join(dir, 'audit.db'), older);
  const server = await startServer({ dataDir: dir });
  const client = new SecretsManagerClient(clientConfig(server));
  try {
    // The second write's commit in coffer.db carries the audit sequence of the first one's record.
    for (const name of ['recorded/after-the-copy-1', 'recorded/after-the-copy-2']) await client.send(new CreateSecretCommand({ Name: name, SecretString: 'v' }));
  } finally {
    client.destroy();
    assert.equal(await server.stop(), 0);
  }
  copyFileSync(older, join(dir, 'audit.db'));
  await refusedStart(dir, /audit\.db was replaced by an older copy/);
});

test('audit.db unreadable with no audit.db-wal beside it (a checkpoint a crash cut short, then the WAL deleted): refused, naming audit.db-wal', async () => {
  await refusedAfter(
    fixture,
    // What a cut-short checkpoint leaves once its WAL is gone: pages SQLite finds malformed (here, the schema's).
    (dir) => overwrite(join(dir, 'audit.db'), 100, 16, 0xff),
    /audit\.db-wal was lost or damaged/,
  );
});

test('audit.db-wal deleted after a SIGKILL under concurrent writers: refused, naming audit.db-wal', async () => {
  ({ dataDir: crashed } = await crashWithWalHoldingAcknowledged('audit.db-wal', /audit\.db-wal was lost or damaged/));
  const wal = join(crashed, 'audit.db-wal');
  assert.ok(existsSync(wal) && statSync(wal).size > 0, 'the crash left audit.db-wal');
  rmSync(wal);
  await refusedStart(crashed, /audit\.db-wal was lost or damaged/);
});
