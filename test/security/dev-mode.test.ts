/**
 * `--dev` mode: signatures are not verified, so any access key works, but the
 * Authorization header must still be well formed, in scope and in time.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig, startServer, type TestServer } from '../support/coffer-server.js';
import { RawClient, type RawResponse } from '../support/raw-client.js';

let server: TestServer;
let raw: RawClient;

before(async () => {
  server = await startServer({ args: ['--dev'] });
  // Credentials nobody issued.
  raw = new RawClient(server.url, {
    credentials: { accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomUUID() },
    region: 'us-east-1',
  });
});

after(async () => {
  if (server) {
    assert.equal(await server.stop(), 0);
    rmSync(dirname(server.dataDir), { recursive: true, force: true });
  }
});

function assertAuthError(res: RawResponse, code: string, message: string | RegExp): void {
  assert.equal(res.status, 400, res.text);
  assert.equal(res.json?.__type, code, res.text);
  assert.equal(typeof res.json.message, 'string', 'lowercase message');
  if (typeof message === 'string') assert.ok(res.json.message.startsWith(message), res.json.message);
  else assert.match(res.json.message, message);
  assert.ok(res.headers['x-amzn-requestid']);
  assert.ok(res.headers.date);
}

test('the server says it is in development mode', () => {
  assert.match(server.stderr(), /DEVELOPMENT MODE/);
});

test('any access key and secret work with the SDK', async () => {
  const client = new SecretsManagerClient({
    ...clientConfig(server),
    credentials: { accessKeyId: 'AKIAANYONEATALL00000', secretAccessKey: 'not-a-real-secret' },
  });
  try {
    await client.send(new CreateSecretCommand({ Name: 'dev/one', SecretString: 'dev-value' }));
    const value = await client.send(new GetSecretValueCommand({ SecretId: 'dev/one' }));
    assert.equal(value.SecretString, 'dev-value');
  } finally {
    client.destroy();
  }
});

test('any access key works with a raw request', async () => {
  const res = await raw.call('GetSecretValue', { SecretId: 'dev/one' });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.SecretString, 'dev-value');
});

test('a well-formed but wrong signature is not checked', async () => {
  const res = await raw.call('ListSecrets', {}, {
    afterSign: ({ headers }) => {
      headers.Authorization = headers.Authorization!.replace(/Signature=[0-9a-f]{64}/, `Signature=${'0'.repeat(64)}`);
    },
  });
  assert.equal(res.status, 200, res.text);
});

test('no Authorization header is still refused', async () => {
  const res = await raw.call('ListSecrets', {}, { sign: false });
  assertAuthError(res, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
});

test('an Authorization header without Signature is still refused', async () => {
  const res = await raw.call('ListSecrets', {}, {
    afterSign: ({ headers }) => {
      headers.Authorization = headers.Authorization!.replace(/, Signature=[0-9a-f]{64}/, '');
    },
  });
  assertAuthError(res, 'IncompleteSignatureException', /Authorization header requires 'Signature' parameter\./);
});

test('a non-SigV4 Authorization header is still refused', async () => {
  const res = await raw.call('ListSecrets', {}, {
    afterSign: ({ headers }) => {
      headers.Authorization = 'Basic dXNlcjpwYXNz';
    },
  });
  assertAuthError(res, 'IncompleteSignatureException', "Authorization header requires the 'AWS4-HMAC-SHA256' algorithm.");
});

test('a malformed signature is still refused', async () => {
  const res = await raw.call('ListSecrets', {}, {
    afterSign: ({ headers }) => {
      headers.Authorization = headers.Authorization!.replace(/Signature=[0-9a-f]{64}/, 'Signature=xyz');
    },
  });
  assertAuthError(res, 'InvalidSignatureException', 'The request signature we calculated does not match');
});

test('the scope and the clock are still checked', async () => {
  assertAuthError(
    await raw.call('ListSecrets', {}, { sign: { service: 'kms' } }),
    'InvalidSignatureException',
    'Credential should be scoped to correct service',
  );
  assertAuthError(
    await raw.call('ListSecrets', {}, { sign: { date: new Date(Date.now() - 20 * 60 * 1000) } }),
    'InvalidSignatureException',
    'Signature expired:',
  );
});
