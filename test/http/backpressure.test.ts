/**
 * Clients that pipeline signed requests for large secrets and never read the answers hold at
 * most one answer each on the server: its memory stays bounded while they flood it, and a
 * well-behaved SDK client is served meanwhile. A connection that pipelines more requests than
 * the cap gets the ones within it answered, a 503 for the next, and is closed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { sharedServer } from '../support/coffer-server.js';
import { eventually, largeSecret, openConnection, rssBytes, settlesWithin, signedRequestBytes, socketCount, statusCodes, type RawConnection } from '../support/abusive-clients.js';

const PIPELINE_CAP = 8;
const shared = sharedServer({ args: ['--max-pipelined-requests', String(PIPELINE_CAP), '--idle-timeout', '3'] });

const CONNECTIONS = 20;
const REQUESTS_PER_CONNECTION = 300;
// The flood asks for 20 × 300 answers of 80 KB (480 MB); unbounded, the server grew by about 900 MB.
const GROWTH_BOUND = 150 * 1024 * 1024;

test('20 connections pipelining 300 requests for a 60 KB secret without reading leave memory bounded and others served', async (t) => {
  const { server, client } = shared;
  const name = await largeSecret(client);
  const pid = server.process.pid!;
  const before = rssBytes(pid);
  const sockets = socketCount(pid);

  const request = signedRequestBytes(server, 'secretsmanager.GetSecretValue', { SecretId: name });
  const flood: RawConnection[] = [];
  try {
    for (let i = 0; i < CONNECTIONS; i += 1) {
      const connection = await openConnection(server, { read: false });
      connection.socket.write(request.repeat(REQUESTS_PER_CONNECTION));
      flood.push(connection);
    }
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 100);
    try {
      // A well-behaved client keeps being answered, each call within a generous bound.
      for (let i = 0; i < 10; i += 1) {
        const call = client.send(new GetSecretValueCommand({ SecretId: name }));
        assert.ok(await settlesWithin(call, 10_000), `call ${i} was not answered within 10 s`);
        assert.equal((await call).SecretString?.length, 60_000);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    } finally {
      clearInterval(sampler);
    }
    const growth = peak - before;
    t.diagnostic(`RSS ${(before / 1048576).toFixed(0)} MB before, peak ${(peak / 1048576).toFixed(0)} MB during the flood`);
    assert.ok(growth < GROWTH_BOUND, `RSS grew by ${(growth / 1048576).toFixed(0)} MB (from ${(before / 1048576).toFixed(0)} MB)`);
    // The server lets go of the flooding connections: refused past the cap, or cut once they take nothing for the idle timeout.
    assert.ok(await eventually(() => socketCount(pid) <= sockets, 20_000), `the server still holds ${socketCount(pid) - sockets} more sockets 20 s later`);
  } finally {
    for (const connection of flood) connection.socket.destroy();
  }
});

test('a connection pipelining more than the cap gets the requests within it answered in order, a 503, and is closed', async () => {
  const { server } = shared;
  const connection = await openConnection(server);
  const request = signedRequestBytes(server, 'secretsmanager.ListSecrets', {});
  connection.socket.write(request.repeat(PIPELINE_CAP + 12));
  assert.ok(await settlesWithin(connection.closed, 20_000), 'the connection was not closed');
  const answered = statusCodes(connection.received());
  assert.deepEqual(answered, [...Array(PIPELINE_CAP).fill(200), 503], connection.received().slice(0, 300));
  assert.match(connection.received(), /ThrottlingException/);
});

test('a connection pipelining up to the cap gets every answer and stays open', async () => {
  const { server } = shared;
  const connection = await openConnection(server);
  try {
    const request = signedRequestBytes(server, 'secretsmanager.ListSecrets', {});
    connection.socket.write(request.repeat(PIPELINE_CAP));
    const deadline = Date.now() + 20_000;
    while (statusCodes(connection.received()).length < PIPELINE_CAP && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(statusCodes(connection.received()), Array(PIPELINE_CAP).fill(200));
    assert.equal(connection.socket.destroyed, false);
  } finally {
    connection.socket.destroy();
  }
});
