/**
 * Attacks on the HTTP front that held, kept as tests: request smuggling shapes
 * (Content-Length with Transfer-Encoding, conflicting Content-Lengths) are
 * refused and nothing behind them is served; deeply nested JSON in a signed
 * body is a client error, never a 5xx, and the server answers normally
 * afterwards. (`__proto__` keys are covered in test/api/validation.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedServer } from '../support/coffer-server.js';
import { rawClientFor } from '../support/raw-client.js';
import { exchangeBytes } from '../support/raw-socket.js';

const shared = sharedServer();
// A refused request closes its connection; anything served after it would arrive within a few seconds.
const exchange = (bytes: string) => exchangeBytes(shared.server, bytes, 3_000);

const statuses = (answer: string) => [...answer.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));

test('Content-Length with Transfer-Encoding is refused, and the request smuggled behind it is not served', async () => {
  const answer = await exchange('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.deepEqual(statuses(answer), [400], answer);
});

test('conflicting Content-Length headers are refused', async () => {
  const answer = await exchange('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde');
  assert.deepEqual(statuses(answer), [400], answer);
});

test('a signed body nested 100,000 deep is a client error, and the server goes on', async () => {
  const raw = rawClientFor(shared.server);
  const res = await raw.call('ListSecrets', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  assert.ok(res.status >= 400 && res.status < 500, `${res.status} ${res.text.slice(0, 200)}`);
  assert.equal((await raw.call('ListSecrets', {})).status, 200);
});
