/**
 * Reading the audit log cannot blow it up: a LookupEvents record holds no
 * response elements (CloudTrail records none for reads), so 100 consecutive
 * lookups of the newest events, each of which returns the previous lookups'
 * records, leave every answer and every record the same small size and the
 * log growing linearly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { sharedServer } from '../support/coffer-server.js';
import { rawClientFor } from '../support/raw-client.js';

const LOOKUP = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents';
const CALLS = 100;

const shared = sharedServer();
const lookup = (body: object) => rawClientFor(shared.server).call(LOOKUP, body, { sign: { service: 'cloudtrail' } });

function auditBytes(): number {
  return ['audit.db', 'audit.db-wal'].map((f) => join(shared.server.dataDir, f)).filter(existsSync).reduce((sum, f) => sum + statSync(f).size, 0);
}

test(`${CALLS} consecutive lookups of the newest events keep answers and records of constant size`, async () => {
  const sizes: number[] = [];
  for (let i = 0; i < CALLS; i += 1) {
    const res = await lookup({ MaxResults: 5 });
    assert.equal(res.status, 200, res.text);
    // Before, each answer was ~2.6 times the previous one: fail at once rather than after 100.
    assert.ok(res.body.length < 32 * 1024, `lookup ${i} answered ${res.body.length} bytes`);
    sizes.push(res.body.length);
  }
  const late = sizes.slice(-10);
  assert.ok(Math.max(...late) <= 2 * Math.min(...sizes.slice(10, 20)), `answer sizes grew: ${sizes.join(',')}`);

  const recorded = await lookup({ MaxResults: 50, LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'LookupEvents' }] });
  assert.equal(recorded.status, 200, recorded.text);
  const events = recorded.json.Events as { CloudTrailEvent: string }[];
  assert.equal(events.length, 50);
  for (const event of events) {
    const record = JSON.parse(event.CloudTrailEvent);
    assert.equal(record.responseElements, null, 'a lookup records no response');
    assert.ok(event.CloudTrailEvent.length < 4096, `a LookupEvents record of ${event.CloudTrailEvent.length} bytes`);
  }
  // 100 small records: well under a megabyte of log, where before one record reached 199 MB.
  assert.ok(auditBytes() < 8 * 1024 * 1024, `audit.db and its WAL hold ${auditBytes()} bytes`);
});
