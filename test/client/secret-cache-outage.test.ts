// SecretCache while its server is away: cached values are served for max-stale past their time,
// then refused; once the server is back the change feed reconnects from its cursor and what
// changed meanwhile reaches the cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretCache } from 'coffer/client';
import { clientConfig, startServer } from '../support/coffer-server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('the server away: values served up to max-stale past their time, then refused; back: the feed resumes from its cursor', async () => {
  let server = await startServer();
  const port = new URL(server.url).port;
  const client = new SecretsManagerClient(clientConfig(server));
  const cache = new SecretCache({ client, ttlSeconds: 1, maxStaleSeconds: 2 });
  try {
    await client.send(new CreateSecretCommand({ Name: 'outage/db', SecretString: 'v1' }));
    await cache.start();
    assert.equal(await cache.getSecretString('outage/db'), 'v1');
    await sleep(200);

    await server.kill();
    const lost = Date.now();
    await sleep(1500);
    assert.equal(await cache.getSecretString('outage/db'), 'v1', 'past the TTL, within max-stale');
    assert.equal(cache.following, false);
    await sleep(Math.max(0, lost + 3500 - Date.now()));
    await assert.rejects(cache.getSecretString('outage/db'), (error: Error) => /ECONNREFUSED/.test(`${error.name} ${error.message} ${(error as { code?: string }).code}`));

    server = await startServer({ dataDir: server.dataDir, args: ['--port', port] });
    const admin = new SecretsManagerClient(clientConfig(server));
    try {
      await admin.send(new PutSecretValueCommand({ SecretId: 'outage/db', SecretString: 'v2' }));
    } finally {
      admin.destroy();
    }
    const deadline = Date.now() + 10_000;
    while (!cache.following && Date.now() < deadline) await sleep(50);
    assert.equal(cache.following, true, 'the feed reconnected');
    assert.equal(await cache.getSecretString('outage/db'), 'v2');
  } finally {
    await cache.close();
    client.destroy();
    assert.equal(await server.stop(), 0);
    rmSync(dirname(server.dataDir), { recursive: true, force: true });
  }
});
