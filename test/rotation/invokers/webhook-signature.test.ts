import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { verifyWebhookSignature, webhookSignature } from '../../../src/rotation/invokers/webhook-signature.js';

const key = Buffer.from('receiver-side-test-key');
const body = '{"Step":"createSecret","SecretId":"arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf"}';
const sentAt = 1_700_000_000;
const timestamp = String(sentAt);
const signature = webhookSignature(key, timestamp, body);

test('the signature is sha256=<hex HMAC-SHA256(key, "<timestamp>.<body>")>, the recipe other languages follow', () => {
  const expected = createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex');
  assert.equal(signature, `sha256=${expected}`);
});

test('a signature verifies within the tolerance either side of the timestamp, body as string or bytes', () => {
  assert.equal(verifyWebhookSignature(key, timestamp, body, signature, sentAt), true);
  assert.equal(verifyWebhookSignature(key, timestamp, Buffer.from(body), signature, sentAt + 300), true);
  assert.equal(verifyWebhookSignature(key, timestamp, body, signature, sentAt - 300), true);
  assert.equal(verifyWebhookSignature(key, timestamp, body, signature.toUpperCase().replace('SHA256=', 'sha256='), sentAt), true);
});

test('a stale or future timestamp fails, and so does a tighter tolerance', () => {
  assert.equal(verifyWebhookSignature(key, timestamp, body, signature, sentAt + 301), false);
  assert.equal(verifyWebhookSignature(key, timestamp, body, signature, sentAt - 301), false);
  assert.equal(verifyWebhookSignature(key, timestamp, body, signature, sentAt + 61, 60), false);
});

test('a tampered body, a moved timestamp or another key fails', () => {
  assert.equal(verifyWebhookSignature(key, timestamp, body.replace('createSecret', 'finishSecret'), signature, sentAt), false);
  assert.equal(verifyWebhookSignature(key, String(sentAt + 1), body, signature, sentAt), false);
  assert.equal(verifyWebhookSignature(Buffer.from('another-key'), timestamp, body, signature, sentAt), false);
});

test('missing or malformed headers fail without throwing', () => {
  const malformed: Array<[string | undefined, string | undefined]> = [
    [undefined, signature],
    [timestamp, undefined],
    ['', signature],
    ['1700000000.5', signature],
    ['-1700000000', signature],
    [timestamp, signature.slice('sha256='.length)],
    [timestamp, `${signature}00`],
    [timestamp, signature.slice(0, -2)],
    [timestamp, signature.replace('sha256=', 'sha1=')],
    [timestamp, `sha256=${'z'.repeat(64)}`],
  ];
  for (const [ts, header] of malformed) {
    assert.equal(verifyWebhookSignature(key, ts, body, header, sentAt), false, `${ts} / ${header}`);
  }
});
