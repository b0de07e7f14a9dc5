/**
 * The headers that choose what a request does must be signed: a DescribeSecret
 * signed over `host;x-amz-date` alone cannot be replayed as DeleteSecret by
 * changing its unsigned X-Amz-Target, nor can an unsigned Content-Type or any
 * unsigned x-amz-* header pass.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sharedServer } from '../support/coffer-server.js';
import { rawClientFor, type RawClient } from '../support/raw-client.js';

const shared = sharedServer();
let raw: RawClient;
const name = `unsigned-${randomUUID().slice(0, 8)}`;

function assertUnsigned(res: { status: number; json: any; text: string }, header: string): void {
  assert.equal(res.status, 400, res.text);
  assert.equal(res.json?.__type, 'InvalidSignatureException', res.text);
  assert.match(res.json.message, new RegExp(`not signed: .*${header}`));
}

// A suite's hook runs once the server of sharedServer's root hook is up.
describe('headers that choose what a request does', () => {
  before(async () => {
    raw = rawClientFor(shared.server);
    const created = await raw.call('CreateSecret', { Name: name, SecretString: 'v', ClientRequestToken: randomUUID() });
    assert.equal(created.status, 200, created.text);
  });

  test('a DescribeSecret signed over host;x-amz-date is not replayed as DeleteSecret', async () => {
    const res = await raw.call('DescribeSecret', { SecretId: name }, {
      sign: { signedHeaders: ['host', 'x-amz-date'] },
      afterSign: ({ headers }) => {
        headers['X-Amz-Target'] = 'secretsmanager.DeleteSecret';
      },
    });
    assertUnsigned(res, 'x-amz-target');
    const described = await raw.call('DescribeSecret', { SecretId: name });
    assert.equal(described.status, 200, described.text);
    assert.equal(described.json.DeletedDate, undefined, 'the secret is not scheduled for deletion');
  });

  test('an unsigned Content-Type is refused', async () => {
    const res = await raw.call('DescribeSecret', { SecretId: name }, { sign: { signedHeaders: ['host', 'x-amz-date', 'x-amz-target'] } });
    assertUnsigned(res, 'content-type');
  });

  test('any unsigned x-amz-* header is refused', async () => {
    const res = await raw.call('DescribeSecret', { SecretId: name }, {
      headers: { 'X-Amz-Meta-Anything': '1' },
      sign: { signedHeaders: ['host', 'content-type', 'x-amz-date', 'x-amz-target'] },
    });
    assertUnsigned(res, 'x-amz-meta-anything');
  });

  test('the same request with every header signed is served', async () => {
    const res = await raw.call('DescribeSecret', { SecretId: name }, { headers: { 'X-Amz-Meta-Anything': '1' } });
    assert.equal(res.status, 200, res.text);
  });
});
