// What audit.db keeps per request: the CloudTrail record, its two hashes and
// its LookupEvents index rows, nothing twice. Measured on a real server's file
// (bench/audit-size-bench.ts prints the figures at scale).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { sharedServer } from '../support/coffer-server.js';

const shared = sharedServer();
const REQUESTS = 600;

test('audit.db keeps a request in about what its CloudTrail record takes, plus its hashes and index rows', async () => {
  await shared.client.send(new CreateSecretCommand({ Name: 'size/one', SecretString: 'x' }));
  for (let i = 1; i < REQUESTS; i += 10) {
    await Promise.all(Array.from({ length: 10 }, () => shared.client.send(new GetSecretValueCommand({ SecretId: 'size/one' }))));
  }
  // Let the lookup index take the last entries (it follows within 200 ms).
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const db = new Database(join(shared.server.dataDir, 'audit.db'), { readonly: true });
  try {
    const columns = (db.prepare('PRAGMA table_info(audit_entries)').all() as { name: string }[]).map((c) => c.name);
    // The lookup keys are in the record: the chain does not keep them again.
    assert.deepEqual(columns, ['sequence', 'record', 'previous_hash', 'hash']);
    const entries = db.prepare('SELECT count(*) FROM audit_entries').pluck().get() as number;
    const record = db.prepare('SELECT avg(length(record)) FROM audit_entries').pluck().get() as number;
    const bytes = db.prepare("SELECT sum(pgsize) FROM dbstat WHERE name IN ('audit_entries', 'audit_lookup', 'audit_lookup_pending', 'audit_lookup_values')").pluck().get() as number;
    assert.ok(entries >= REQUESTS, `${entries} entries`);
    // Before: 1,770 bytes per entry for records of 935 (keys kept twice, lookup values in every row, pages a fifth empty).
    assert.ok(bytes / entries < record + 600, `${(bytes / entries).toFixed(0)} bytes per entry for records of ${record.toFixed(0)}`);
  } finally {
    db.close();
  }
});
