// Requests recorded before they acted whose outcome a stop prevented: settled
// at the next start with an outcome "unknown", once, and never those of a
// process that still runs beside it (cluster workers share audit.db).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { lookupKeysOf } from '../../src/audit/audit-entry-record.js';
import { buildRecord, OUTCOME_UNKNOWN, type AuditPhase, type AuditRecord } from '../../src/audit/audit-record.js';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import { openAuditDatabase } from '../../src/storage/sqlite/audit-database.js';
import { tempDir } from '../support/coffer-server.js';

function record(requestID: string, phase: AuditPhase): AuditRecord {
  return buildRecord({
    eventSource: 'secretsmanager.amazonaws.com',
    eventName: 'CreateSecret',
    awsRegion: 'us-east-1',
    sourceIPAddress: '127.0.0.1',
    userAgent: 'test',
    userIdentity: { type: 'Root', accountId: '000000000000' },
    requestParameters: { Name: requestID },
    requestID,
    readOnly: false,
    auditPhase: phase,
  });
}

async function append(writer: AuditWriter, ...records: AuditRecord[]): Promise<void> {
  await writer.append(records.map((r) => JSON.stringify(r)).join('\n'), JSON.stringify(records.map(lookupKeysOf)));
}

/** A pid no process has any more. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

test('a restart records "outcome unknown" for the requests of processes that are gone, once, and leaves a live process its own', async () => {
  const dir = tempDir();
  const path = join(dir, 'audit.db');
  const open = (owner: string, shared: boolean) => AuditWriter.onSqlite(openAuditDatabase(path), [], { owner, shared });
  try {
    const crashed = open(`${deadPid()}:crashed`, true);
    await append(crashed, record('done', 'request'), record('done', 'outcome'), record('cut-off', 'request'));
    await crashed.close();
    const live = open(`${process.pid}:live`, true);
    await append(live, record('in-flight', 'request'));

    // Two workers starting together: the crashed process's request is settled once; the live one's is left to it.
    const [first, second] = [open(`${process.pid}:worker-1`, true), open(`${process.pid}:worker-2`, true)];
    assert.deepEqual(await Promise.all([first.settleInterrupted(), second.settleInterrupted()]).then((n) => n.sort()), [0, 1]);
    await Promise.all([first.close(), second.close()]);
    await append(live, record('in-flight', 'outcome'));
    await live.close();

    // A single process after a crash settles whatever is left; here nothing is.
    const alone = open(`${process.pid}:alone`, false);
    assert.equal(await alone.settleInterrupted(), 0);
    await alone.close();

    const db = openAuditDatabase(path);
    try {
      const records = (db.prepare('SELECT record FROM audit_entries ORDER BY sequence').pluck().all() as string[]).map((r) => JSON.parse(r) as AuditRecord);
      const phases = records.map((r) => `${r.requestID} ${r.additionalEventData?.auditPhase} ${r.errorCode ?? 'ok'}`);
      assert.deepEqual(phases, [
        'done request ok',
        'done outcome ok',
        'cut-off request ok',
        'in-flight request ok',
        `cut-off outcome ${OUTCOME_UNKNOWN}`,
        'in-flight outcome ok',
      ]);
      const unknown = records[4]!;
      assert.equal(unknown.eventTime, records[2]!.eventTime, 'the outcome carries the time of its request');
      assert.notEqual(unknown.eventID, records[2]!.eventID);
      assert.match(unknown.errorMessage!, /may or may not have been made/);
      assert.equal(db.prepare('SELECT count(*) FROM audit_pending').pluck().get(), 0);
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
