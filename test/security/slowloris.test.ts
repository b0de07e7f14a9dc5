/**
 * Slowloris: clients that dribble their request headers a byte at a time, to hold connections
 * for as long as the server lets them, are cut after the header timeout (408) while a
 * well-behaved client is served throughout. Over TLS, connections that never finish the
 * handshake are cut after the same time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { sharedServer, startServer, tempDir } from '../support/coffer-server.js';
import { httpsHealth, testCertificate } from '../support/tls-certificate.js';
import { dribble, openConnection, settlesWithin, signedRequestBytes } from '../support/abusive-clients.js';

const shared = sharedServer({ args: ['--header-timeout', '1'] });

// Node's default header timeout (60 s, checked every 30 s) kept such connections for over a minute.
const CUT_WITHIN = 15_000;

test('connections dribbling their headers byte by byte are cut after the header timeout while others are served', async () => {
  const { server, client } = shared;
  const request = signedRequestBytes(server, 'secretsmanager.ListSecrets', {});
  const slow = await Promise.all(Array.from({ length: 20 }, () => openConnection(server)));
  try {
    // About 70 s per request at this pace: only the header timeout ends it sooner.
    for (const connection of slow) dribble(connection.socket, request, 100);
    for (let i = 0; i < 5; i += 1) {
      const call = client.send(new ListSecretsCommand({}));
      assert.ok(await settlesWithin(call, 10_000), `call ${i} was not answered while the slow clients dribbled`);
      await call;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(await settlesWithin(Promise.all(slow.map((c) => c.closed)), CUT_WITHIN), 'slow connections were still open');
    for (const connection of slow) assert.match(connection.received(), /^HTTP\/1\.1 408 /);
  } finally {
    for (const connection of slow) connection.socket.destroy();
  }
});


test('over TLS, connections that send nothing or dribble a handshake are cut after the header timeout while others are served', async (t) => {
  const dir = tempDir();
  const tls = testCertificate(t, dir);
  if (!tls) return;
  const server = await startServer({ dataDir: join(dir, 'data'), args: ['--tls-cert', tls.cert, '--tls-key', tls.key, '--header-timeout', '1'] });
  const slow = await Promise.all(Array.from({ length: 10 }, () => openConnection(server)));
  try {
    // A TLS 1.2 ClientHello record header, then a byte now and then.
    for (const [i, connection] of slow.entries()) if (i % 2 === 0) dribble(connection.socket, '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03', 500);
    for (let i = 0; i < 3; i += 1) {
      const health = httpsHealth(server.url, tls.cert);
      assert.ok(await settlesWithin(health, 10_000), 'no answer over TLS while the slow clients held their connections');
      assert.equal((await health).status, 200);
    }
    assert.ok(await settlesWithin(Promise.all(slow.map((c) => c.closed)), CUT_WITHIN), 'connections without a handshake were still open');
  } finally {
    for (const connection of slow) connection.socket.destroy();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
