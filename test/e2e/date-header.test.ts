// Every answer carries a Date header, errors included, since SDKs correct their
// clock skew from it: JSON errors, /health, and the answers to requests the
// HTTP parser itself refuses (malformed, headers too large).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { startServer, type TestServer } from '../support/coffer-server.js';
import { rawClientFor } from '../support/raw-client.js';

let server: TestServer;

before(async () => {
  server = await startServer();
});

after(async () => {
  if (server) {
    await server.stop();
    rmSync(dirname(server.dataDir), { recursive: true, force: true });
  }
});

/** Sends raw bytes and returns everything the server wrote before closing. */
function exchange(bytes: string): Promise<string> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => reject(new Error(`no answer; so far: ${answer}`)));
  });
}

function assertDated(answer: string, status: number): void {
  assert.match(answer, new RegExp(`^HTTP/1\\.1 ${status} `), answer);
  const date = /\r\ndate: ([^\r]+)\r\n/i.exec(answer)?.[1];
  assert.ok(date && Math.abs(Date.parse(date) - Date.now()) < 60_000, `a current Date header in ${JSON.stringify(answer)}`);
}

test('a request the HTTP parser cannot read is answered 400 with a Date', async () => {
  assertDated(await exchange('NOT HTTP AT ALL\r\n\r\n'), 400);
});

test('headers over the size limit are answered 431 with a Date', async () => {
  assertDated(await exchange(`POST / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`), 431);
});

test('/health and JSON errors carry a Date', async () => {
  const health = await fetch(`${server.url}/health`);
  assert.ok(health.headers.get('date'));
  const unsigned = await rawClientFor(server).call('ListSecrets', {}, { sign: false });
  assert.equal(unsigned.status, 400);
  assert.ok(unsigned.headers.date);
});
