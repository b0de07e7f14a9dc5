// An audit file sink that opens but cannot be written (/dev/full): a change
// is refused before it is made, so a refused CreateSecret leaves no secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { CreateSecretCommand, DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig, startServer } from '../support/coffer-server.js';
import { rejectsWith } from '../support/sdk-errors.js';

test('with --audit-file /dev/full, CreateSecret is refused with ServiceUnavailableException and the secret does not exist afterwards', async () => {
  const first = await startServer({ args: ['--audit-file', '/dev/full', '--audit-sink-timeout', '2000'] });
  const client = new SecretsManagerClient(clientConfig(first));
  const names = ['refused/one', 'refused/two'];
  try {
    for (const name of names) {
      await rejectsWith(
        client.send(new CreateSecretCommand({ Name: name, SecretString: 'never stored' })),
        'ServiceUnavailableException',
        /could not record this request in its audit log, so it was not served/,
        503,
      );
    }
    const health = await fetch(`${first.url}/health`);
    assert.equal(health.status, 503, '/health is not ready while a sink cannot be written');
  } finally {
    client.destroy();
    await first.stop();
  }

  // Without the failing sink the server serves again: neither refused secret was made.
  const again = await startServer({ dataDir: first.dataDir });
  const reader = new SecretsManagerClient(clientConfig(again));
  try {
    for (const name of names) {
      // Refused, so never made.
      await rejectsWith(reader.send(new DescribeSecretCommand({ SecretId: name })), 'ResourceNotFoundException');
    }
  } finally {
    reader.destroy();
    assert.equal(await again.stop(), 0);
  }

  // The database took what the sink refused: the first CreateSecret's request record and its refusal as its
  // outcome; the second was refused before it came that far (the log's gate was shut), so it has one record.
  const db = new Database(join(first.dataDir, 'audit.db'), { readonly: true });
  try {
    const records = (db.prepare('SELECT record FROM audit_entries ORDER BY sequence').pluck().all() as string[]).map(
      (r) => JSON.parse(r) as { eventName: string; errorCode?: string; additionalEventData?: { auditPhase: string } },
    );
    const creates = records.filter((r) => r.eventName === 'CreateSecret').map((r) => `${r.additionalEventData?.auditPhase} ${r.errorCode ?? ''}`);
    assert.deepEqual(creates, ['request ', 'outcome ServiceUnavailableException', 'undefined ServiceUnavailableException']);
    assert.equal(db.prepare('SELECT count(*) FROM audit_pending').pluck().get(), 0, 'no request is left pending');
  } finally {
    db.close();
    rmSync(dirname(first.dataDir), { recursive: true, force: true });
  }
});
