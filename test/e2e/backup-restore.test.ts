// Online backup and restore: `coffer backup` while writers keep writing, `coffer backup verify`,
// `coffer restore` into another directory, and the restored server opening with the root key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig, startServer, tempDir } from '../support/coffer-server.js';
import { cofferCli } from '../support/coffer-cli.js';
import { uniqueName } from '../support/sdk-errors.js';

const WRITERS = 6;
/** Each writer's bound: a secret keeps its 100 newest versions, and the test must stay short. */
const WRITES_EACH = 40;

interface Acknowledged {
  name: string;
  versionId: string;
  value: string;
}

test('a backup under write load holds every write acknowledged before it began; restored elsewhere, it opens with the same root key only and its audit chain verifies', async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  const cli = cofferCli();
  await cli.ok(['configure', '--data-dir', server.dataDir, '--endpoint-url', server.url]);
  const sm = new SecretsManagerClient(clientConfig(server));
  t.after(() => sm.destroy());

  const names = Array.from({ length: WRITERS }, () => uniqueName('backup/db'));
  for (const name of names) await sm.send(new CreateSecretCommand({ Name: name, SecretString: `${name}#initial` }));
  const acknowledged: Acknowledged[] = [];
  const writer = async (name: string) => {
    for (let i = 0; i < WRITES_EACH; i++) {
      const versionId = randomUUID();
      const value = `${name}#${i}-${randomBytes(6).toString('hex')}`;
      await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: value, ClientRequestToken: versionId }));
      acknowledged.push({ name, versionId, value });
    }
  };
  const load = Promise.all(names.map(writer));
  while (acknowledged.length < WRITERS * 3) await new Promise((resolve) => setImmediate(resolve));

  const before = [...acknowledged];
  const file = join(tempDir(), 'coffer.backup');
  const out = await cli.ok(['backup', '--to', file]);
  const acknowledgedDuring = acknowledged.length - before.length;
  await load;
  assert.match(out, /backup written to .*coffer\.backup \(\d+ bytes\)/);
  assert.match(out, /encrypted under the root key of the data directory, which the backup does not hold/);
  t.diagnostic(`${before.length} writes acknowledged before the backup, ${acknowledgedDuring} while it was made`);

  // Sealed under the root key: no value is in the file.
  const content = gunzipSync(readFileSync(file));
  for (const write of acknowledged) assert.ok(!content.includes(write.value), 'no secret value in the backup');

  const verified = await cli.ok(['backup', 'verify', file]);
  assert.match(verified, /files, each matching its SHA-256/);
  assert.match(verified, /coffer\.db and audit\.db: SQLite integrity check ok/);
  assert.match(verified, /^ok: \d+ entries/m);

  const occupied = join(tempDir(), 'occupied');
  mkdirSync(occupied);
  writeFileSync(join(occupied, 'something'), 'x');
  await cli.fails(['restore', '--from', file, '--data-dir', occupied], /is not empty: restore into an empty or new directory/);

  const restoredDir = join(tempDir(), 'restored');
  const restoredOut = await cli.ok(['restore', '--from', file, '--data-dir', restoredDir, '--root-key', join(server.dataDir, 'root-key')]);
  assert.match(restoredOut, /Start it with `coffer server --data-dir .* --root-key-provider file`: its root-key file is in place/);
  const restored = await startServer({ dataDir: restoredDir });
  t.after(() => restored.stop());
  const reader = new SecretsManagerClient({ ...clientConfig(restored), credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey } });
  t.after(() => reader.destroy());
  // The same administrator key pair opens it: access keys are in coffer.db, sealed under the root key.
  for (const write of before) {
    const got = await reader.send(new GetSecretValueCommand({ SecretId: write.name, VersionId: write.versionId }));
    assert.equal(got.SecretString, write.value, `${write.name} ${write.versionId} was acknowledged before the backup`);
  }
  const audit = await cli.run(['audit', 'verify', '--data-dir', restoredDir]);
  assert.equal(audit.code, 0, audit.describe());
  assert.match(audit.stdout, /^ok: \d+ entries/m);

  // With another root key, the restored data does not open.
  const wrongDir = join(tempDir(), 'wrong-key');
  await cli.ok(['restore', '--from', file, '--data-dir', wrongDir]);
  writeFileSync(join(wrongDir, 'root-key'), `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  await assert.rejects(startServer({ dataDir: wrongDir }), /the root key does not open this database/);
});

test('only the account root may back up, and a damaged backup fails verification naming the file', async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  const cli = cofferCli();
  await cli.ok(['configure', '--data-dir', server.dataDir, '--endpoint-url', server.url]);
  const user = uniqueName('reader').replace(/\//g, '-');
  await cli.ok(['users', 'create', user]);
  await cli.ok(['users', 'create-key', user, '--save-profile', user]);
  await cli.fails(['backup', '--to', join(tempDir(), 'nope'), '--profile', user], /AccessDeniedException: User: .* is not authorized to perform: coffer:CreateBackup/);

  const file = join(tempDir(), 'good.backup');
  await cli.ok(['backup', '--to', file]);
  const data = gunzipSync(readFileSync(file));
  // Flip one byte near the end: inside the last file's bytes.
  data[data.length - 10] ^= 0xff;
  const { gzipSync } = await import('node:zlib');
  const damaged = join(tempDir(), 'damaged.backup');
  writeFileSync(damaged, gzipSync(data));
  await cli.fails(['backup', 'verify', damaged], /does not match its SHA-256 \(the file is damaged\)/);
});
