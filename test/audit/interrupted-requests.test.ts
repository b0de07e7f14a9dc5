// Requests recorded before they acted whose outcome a stop prevented: settled
// at the next start with an outcome "unknown", once, and never those of a
// process that still runs beside it (cluster workers share audit.db).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { OUTCOME_UNKNOWN, type AuditRecord } from '../../src/audit/cloudtrail-record.js';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import { openAuditDatabase } from '../../src/storage/sqlite/audit-database.js';
import { tempDir } from '../support/coffer-server.js';
import { appendRecords, phasedRecord } from './chain-fixture.js';

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
    await appendRecords(crashed, phasedRecord('done', 'request'), phasedRecord('done', 'outcome'), phasedRecord('cut-off', 'request'));
    await crashed.close();
    const live = open(`${process.pid}:live`, true);
    await appendRecords(live, phasedRecord('in-flight', 'request'));

    // Two workers starting together: the crashed process's request is settled once; the live one's is left to it.
    const [first, second] = [open(`${process.pid}:worker-1`, true), open(`${process.pid}:worker-2`, true)];
    assert.deepEqual(await Promise.all([first.settleInterrupted(), second.settleInterrupted()]).then((n) => n.sort()), [0, 1]);
    await Promise.all([first.close(), second.close()]);
    await appendRecords(live, phasedRecord('in-flight', 'outcome'));
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
