// After a SIGKILL under concurrent writers, coffer.db-wal holds acknowledged
// writes not yet in coffer.db. Lost or damaged, it must stop the start with a
// message naming it, never serve a store where acknowledged versions answer
// ResourceNotFoundException; --accept-data-loss starts it, and says so in the
// audit log. The untouched data directory restarts with every write.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig, startServer } from '../support/coffer-server.js';
import { rawClientFor } from '../support/raw-client.js';
import { copyDataDir, crashWithWalHoldingAcknowledged, overwrite, refusedStart, removeDataDirs, startsAndServes, type AckedWrite } from '../support/data-dir-faults.js';

const WAL_HEADER = 32;
const CLOUDTRAIL = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101';

let crashed: string;
let acked: AckedWrite[];
const copies: string[] = [];

/** A copy of the crashed data directory, with coffer.db-wal as the crash left it (holding frames). */
function crashedCopy(): string {
  const copy = copyDataDir(crashed);
  copies.push(copy);
  const wal = join(copy, 'coffer.db-wal');
  assert.ok(existsSync(wal) && statSync(wal).size > WAL_HEADER, 'the crash left coffer.db-wal with frames in it');
  return copy;
}

before(async () => {
  ({ dataDir: crashed, acked } = await crashWithWalHoldingAcknowledged('coffer.db-wal', /coffer\.db-wal was lost or damaged/));
});

after(() => removeDataDirs(crashed, ...copies));

test('the data directory as the crash left it restarts with every acknowledged write', async () => {
  const server = await startServer({ dataDir: crashedCopy() });
  const client = new SecretsManagerClient(clientConfig(server));
  try {
    for (const write of acked) {
      const got = await client.send(new GetSecretValueCommand({ SecretId: write.secret, VersionId: write.versionId }));
      assert.equal(got.SecretString, write.value);
    }
  } finally {
    client.destroy();
    assert.equal(await server.stop(), 0);
  }
});

test('coffer.db-wal deleted after the crash: the start is refused, naming coffer.db-wal', async () => {
  const copy = crashedCopy();
  rmSync(join(copy, 'coffer.db-wal'));
  const message = await refusedStart(copy, /coffer\.db-wal was lost or damaged/);
  assert.match(message, /acknowledged/);
  assert.match(message, /--accept-data-loss/);
});

test('coffer.db-wal emptied after the crash: refused', async () => {
  const copy = crashedCopy();
  writeFileSync(join(copy, 'coffer.db-wal'), '');
  await refusedStart(copy, /coffer\.db-wal was lost or damaged/);
});

test('coffer.db-wal damaged after the crash (8 bytes of its first frame overwritten): refused', async () => {
  const copy = crashedCopy();
  // The first frame's salt and checksum: SQLite stops reading the WAL there, silently.
  overwrite(join(copy, 'coffer.db-wal'), WAL_HEADER + 8);
  await refusedStart(copy, /coffer\.db-wal was lost or damaged/);
});

test('with --accept-data-loss the server starts on what is left, and the audit log records the acceptance', async () => {
  const copy = crashedCopy();
  rmSync(join(copy, 'coffer.db-wal'));
  const server = await startServer({ dataDir: copy, args: ['--accept-data-loss'] });
  try {
    const lookup = await rawClientFor(server).call(
      `${CLOUDTRAIL}.LookupEvents`,
      { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'AcceptDataLoss' }] },
      { sign: { service: 'cloudtrail' } },
    );
    assert.equal(lookup.status, 200, lookup.text);
    const events = lookup.json.Events as { CloudTrailEvent: string }[];
    assert.equal(events.length, 1);
    assert.match(events[0]!.CloudTrailEvent, /coffer\.db-wal was lost or damaged/);
  } finally {
    assert.equal(await server.stop(), 0);
  }
  // Accepted once: the next start needs no flag.
  await startsAndServes(copy);
});
