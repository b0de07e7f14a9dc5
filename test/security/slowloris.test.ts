/**
 * Slowloris: clients that dribble their request headers a byte at a time, to hold connections
 * for as long as the server lets them, are cut after the header timeout (408) while a
 * well-behaved client is served throughout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { sharedServer } from '../support/coffer-server.js';
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

