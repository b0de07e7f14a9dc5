/**
 * Connections that hold the server without finishing anything are cut: one idle after its
 * answer (idle timeout), one that sends nothing (header timeout), one that dribbles its body
 * (request timeout), and one that takes none of its answers (idle timeout again). Slowloris,
 * dribbling headers, is in test/security/slowloris.test.ts. Small configured timeouts keep the
 * tests short; the bounds asserted are generous.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedServer } from '../support/coffer-server.js';
import { dribble, eventually, largeSecret, openConnection, settlesWithin, signedRequestBytes, socketCount } from '../support/abusive-clients.js';

const shared = sharedServer({
  args: ['--header-timeout', '1', '--request-timeout', '2', '--idle-timeout', '2', '--max-pipelined-requests', '100'],
});

// Each timeout is 1–2 s; Node's defaults (and this server's before it set its own) kept such connections for a minute or more.
const CUT_WITHIN = 15_000;

test('a connection left idle after its answer is closed after the idle timeout', async () => {
  const connection = await openConnection(shared.server);
  connection.socket.write(signedRequestBytes(shared.server, 'secretsmanager.ListSecrets', {}));
  assert.ok(await eventually(() => connection.received().includes('HTTP/1.1 200 '), 10_000), 'no answer');
  assert.ok(await settlesWithin(connection.closed, CUT_WITHIN), 'the idle connection was still open');
});

test('a connection that sends nothing is closed after the header timeout, with a 408', async () => {
  const connection = await openConnection(shared.server);
  assert.ok(await settlesWithin(connection.closed, CUT_WITHIN), 'the silent connection was still open');
  assert.match(connection.received(), /^HTTP\/1\.1 408 /);
});

test('a connection dribbling its body is cut after the request timeout', async () => {
  const connection = await openConnection(shared.server);
  try {
    const [head, body] = signedRequestBytes(shared.server, 'secretsmanager.ListSecrets', { MaxResults: 10, SortOrder: 'asc' }).split('\r\n\r\n');
    connection.socket.write(`${head}\r\n\r\n`);
    dribble(connection.socket, body!, 1_000);
    assert.ok(await settlesWithin(connection.closed, CUT_WITHIN), 'the connection dribbling its body was still open');
    assert.match(connection.received(), /^HTTP\/1\.1 408 /);
  } finally {
    connection.socket.destroy();
  }
});

test('a connection that takes none of its answers is cut after the idle timeout', async () => {
  const { server, client } = shared;
  const name = await largeSecret(client);
  const pid = server.process.pid!;
  const sockets = socketCount(pid);
  const connection = await openConnection(server, { read: false });
  try {
    // 100 answers of 80 KB: more than the kernel's socket buffers take, so answers wait on the server.
    connection.socket.write(signedRequestBytes(server, 'secretsmanager.GetSecretValue', { SecretId: name }).repeat(100));
    assert.ok(await eventually(() => socketCount(pid) > sockets, 5_000), 'the connection never reached the server');
    assert.ok(await eventually(() => socketCount(pid) <= sockets, CUT_WITHIN), 'the server still held the connection whose client reads nothing');
  } finally {
    connection.socket.destroy();
  }
});
