// Every answer carries a Date header, errors included, since SDKs correct their
// clock skew from it: JSON errors, /health, and the answers to requests the
// HTTP parser itself refuses (malformed, headers too large).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedServer } from '../support/coffer-server.js';
import { rawClientFor } from '../support/raw-client.js';
import { exchangeBytes } from '../support/raw-socket.js';

const shared = sharedServer();
const exchange = (bytes: string) => exchangeBytes(shared.server, bytes);

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
  const health = await fetch(`${shared.server.url}/health`);
  assert.ok(health.headers.get('date'));
  const unsigned = await rawClientFor(shared.server).call('ListSecrets', {}, { sign: false });
  assert.equal(unsigned.status, 400);
  assert.ok(unsigned.headers.date);
});
