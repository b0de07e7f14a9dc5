import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RotationEvent } from '../../../src/rotation/rotation-function.js';
import { verifyWebhookSignature, webhookInvoker } from '../../../src/rotation/invokers/webhook-invoker.js';
import { rejection } from './support.js';

const signingKey = Buffer.from('webhook-test-signing-key-never-to-be-shown');
const event: RotationEvent = {
  Step: 'createSecret',
  SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key-AbCdEf',
  ClientRequestToken: '8f1c2d3e-0000-4000-8000-000000000001',
  RotationToken: 'b6a5f9d0-1234-4abc-8def-0123456789ab',
};

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

type Respond = (req: IncomingMessage, res: ServerResponse) => void;

/** A loopback HTTP server on a free port, closed (with its connections) after the test. */
async function startServer(t: TestContext, respond: Respond): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      respond(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

const answer =
  (status: number, body = '', headers: Record<string, string> = {}): Respond =>
  (_req, res) => {
    res.writeHead(status, headers).end(body);
  };

function invoker(url: string, timeoutMs = 5000) {
  return webhookInvoker({ url, timeoutMs, signingKey });
}

/** The rejection's message, checked to be free of the signing key in any encoding. */
async function failure(step: Promise<void>): Promise<string> {
  const message = await rejection(step);
  for (const encoding of ['utf8', 'hex', 'base64', 'base64url'] as const) {
    assert.ok(!message.includes(signingKey.toString(encoding)), `signing key (${encoding}) in: ${message}`);
  }
  return message;
}

test('POSTs the event as signed JSON, and verifyWebhookSignature accepts what arrives', async (t) => {
  const { url, received } = await startServer(t, answer(204));
  await invoker(`${url}/rotate`)(event);

  assert.equal(received.length, 1);
  const [call] = received;
  assert.equal(call.method, 'POST');
  assert.equal(call.url, '/rotate');
  assert.equal(call.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(call.body.toString('utf8')), event);

  const timestamp = call.headers['x-coffer-timestamp'] as string;
  const signature = call.headers['x-coffer-signature'] as string;
  assert.match(signature, /^sha256=[0-9a-f]{64}$/);
  const now = Date.now() / 1000;
  assert.ok(Math.abs(now - Number(timestamp)) < 5, `timestamp ${timestamp} is not now`);
  assert.equal(verifyWebhookSignature(signingKey, timestamp, call.body, signature, now), true);

  const tampered = Buffer.from(call.body.toString('utf8').replace('createSecret', 'finishSecret'));
  assert.equal(verifyWebhookSignature(signingKey, timestamp, tampered, signature, now), false);
  assert.equal(verifyWebhookSignature(signingKey, timestamp, call.body, signature, now + 301), false);
});

test('any 2xx answer completes the step', async (t) => {
  for (const status of [200, 201, 202, 299]) {
    const { url } = await startServer(t, answer(status, 'ok'));
    await invoker(url)(event);
  }
});

test('a 500 rejects naming the step, the URL, the status and the start of the body', async (t) => {
  const { url } = await startServer(t, answer(500, `database unreachable\r\n\u001b[31m${'x'.repeat(5000)}`));
  const message = await failure(invoker(`${url}/hook?token=query-secret`)({ ...event, Step: 'setSecret' }));
  assert.match(message, /setSecret/);
  assert.ok(message.includes(`${url}/hook`), message);
  assert.match(message, /HTTP 500/);
  assert.match(message, /database unreachable/);
  assert.ok(!message.includes('query-secret'), 'the query string is left out');
  assert.ok(!/[\r\n\u001b]/.test(message), 'control characters from the body are removed');
  assert.ok(message.length < 800, `the body excerpt is bounded (${message.length} chars)`);
});

test('other non-2xx statuses reject too', async (t) => {
  for (const status of [400, 404, 503]) {
    const { url } = await startServer(t, answer(status));
    assert.match(await failure(invoker(url)(event)), new RegExp(`HTTP ${status}`));
  }
});

test('no answer within the timeout rejects after about the timeout', async (t) => {
  const { url } = await startServer(t, () => undefined);
  const started = Date.now();
  const message = await failure(invoker(url, 300)({ ...event, Step: 'testSecret' }));
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 250 && elapsed < 3000, `rejected after ${elapsed} ms`);
  assert.match(message, /testSecret/);
  assert.match(message, /no answer within 300 ms/);
});

test('a body that stalls after a failing status still rejects with the status, within the timeout', async (t) => {
  const { url } = await startServer(t, (_req, res) => {
    res.writeHead(502);
    res.write('partial ');
  });
  const started = Date.now();
  const message = await failure(invoker(url, 300)(event));
  assert.ok(Date.now() - started < 3000);
  assert.match(message, /HTTP 502: partial/);
});

test('redirects are not followed: the signed event never reaches the other host', async (t) => {
  const elsewhere = await startServer(t, answer(200));
  const { url } = await startServer(t, answer(307, '', { Location: `${elsewhere.url}/steal` }));
  const message = await failure(invoker(url)(event));
  assert.match(message, /HTTP 307/);
  assert.equal(elsewhere.received.length, 0);
});

test('a network error rejects naming the step, the URL and the cause', async (t) => {
  const { url } = await startServer(t, answer(200));
  const closed = await new Promise<string>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      server.close(() => resolve(`http://127.0.0.1:${port}`));
    });
  });
  assert.notEqual(closed, url);
  const message = await failure(invoker(`${closed}/rotate`)({ ...event, Step: 'finishSecret' }));
  assert.match(message, /finishSecret/);
  assert.ok(message.includes(`${closed}/rotate`), message);
  assert.match(message, /ECONNREFUSED/);
});

test('fetchImpl, when given, makes the call, without following redirects', async () => {
  const calls: Array<{ url: string; init: RequestInit | undefined }> = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), init });
    return new Response(null, { status: 204 });
  }) as typeof fetch;
  await webhookInvoker({ url: 'https://rotator.example/steps', timeoutMs: 1000, signingKey, fetchImpl })(event);
  assert.equal(calls.length, 1);
  assert.equal(calls[0].url, 'https://rotator.example/steps');
  assert.equal(calls[0].init?.method, 'POST');
  assert.equal(calls[0].init?.redirect, 'manual');
  assert.equal(calls[0].init?.body, JSON.stringify(event));
});

test('a URL that is not http(s) or carries credentials, an empty key or a bad timeout is refused up front', () => {
  assert.throws(() => webhookInvoker({ url: 'not a url', timeoutMs: 1000, signingKey }), /not a valid URL/);
  assert.throws(() => webhookInvoker({ url: 'ftp://host/x', timeoutMs: 1000, signingKey }), /http or https/);
  assert.throws(() => webhookInvoker({ url: 'https://user:pw@host/x', timeoutMs: 1000, signingKey }), /credentials/);
  assert.throws(() => webhookInvoker({ url: 'https://host/x', timeoutMs: 1000, signingKey: Buffer.alloc(0) }), /signing key is empty/);
  assert.throws(() => webhookInvoker({ url: 'https://host/x', timeoutMs: 0, signingKey }), RangeError);
});
