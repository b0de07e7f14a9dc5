// An audit file sink that opens but cannot be written (/dev/full): a change
// is refused before it is made, so a refused CreateSecret leaves no secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
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
    rmSync(dirname(first.dataDir), { recursive: true, force: true });
  }
});
