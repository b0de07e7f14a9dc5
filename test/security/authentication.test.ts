/**
 * SigV4 authentication against a live server (reference §2): every way a
 * signature can be missing, malformed, stale, mis-scoped or wrong is refused
 * with the AWS error, status 400, a lowercase `message`, and no secret echoed;
 * checked with raw requests and with the AWS SDK.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { ListSecretsCommand, SecretsManagerClient, CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { clientConfig, startServer, type TestServer } from '../support/coffer-server.js';
import { amzDate, rawClientFor, type RawClient, type RawResponse } from '../support/raw-client.js';

let server: TestServer;
let raw: RawClient;
let stopped = false;

const MINUTE = 60 * 1000;
const SIGNATURE_MISMATCH = 'The request signature we calculated does not match the signature you provided.';
const BAD_TOKEN = 'The security token included in the request is invalid.';
const AMZ = '\\d{8}T\\d{6}Z';

before(async () => {
  server = await startServer();
  raw = rawClientFor(server);
});

after(async () => {
  if (server && !stopped) await server.stop();
  if (server) rmSync(dirname(server.dataDir), { recursive: true, force: true });
});

/** An auth failure as AWS's front end sends it: 400, `__type`, lowercase `message`, request id and Date. */
function assertAuthError(res: RawResponse, code: string, message: string | RegExp): void {
  assert.equal(res.status, 400, res.text);
  assert.equal(res.json?.__type, code, res.text);
  assert.equal(typeof res.json.message, 'string', `lowercase message: ${res.text}`);
  assert.equal(res.json.Message, undefined, 'no capitalised Message on a front-end error');
  if (typeof message === 'string') assert.ok(res.json.message.startsWith(message), `${JSON.stringify(res.json.message)} should start with ${JSON.stringify(message)}`);
  else assert.match(res.json.message, message);
  assert.ok(res.headers['x-amzn-requestid'], 'x-amzn-RequestId header');
  assert.ok(res.headers.date, 'Date header (SDKs correct clock skew from it)');
  assert.ok(!res.text.includes(server.secretAccessKey), 'the secret access key is never echoed');
}

async function sdkError(promise: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number } };
  }
  assert.fail('expected the call to fail');
}

function sdk(overrides: Partial<ReturnType<typeof clientConfig>> & { systemClockOffset?: number } = {}): SecretsManagerClient {
  return new SecretsManagerClient({ ...clientConfig(server), ...overrides });
}

describe('control: correct signatures are accepted', () => {
  test('a raw request signed by the test signer', async () => {
    const res = await raw.call('ListSecrets', {});
    assert.equal(res.status, 200, res.text);
  });

  test('the SDK with the credentials file key', async () => {
    const client = sdk();
    try {
      await client.send(new ListSecretsCommand({}));
    } finally {
      client.destroy();
    }
  });

  test('a request signed 4 minutes ago (inside the 5-minute window)', async () => {
    const res = await raw.call('ListSecrets', {}, { sign: { date: new Date(Date.now() - 4 * MINUTE) } });
    assert.equal(res.status, 200, res.text);
  });

  test('header values are canonicalised: surrounding and repeated spaces do not matter', async () => {
    const res = await raw.call('ListSecrets', {}, {
      afterSign: ({ headers }) => {
        headers['Content-Type'] = `   ${headers['Content-Type']}   `;
      },
    });
    assert.equal(res.status, 200, res.text);
  });

  test('the region comes from the credential scope', async () => {
    const res = await raw.call('ListSecrets', {}, { sign: { region: 'eu-west-1' } });
    assert.equal(res.status, 200, res.text);
  });
});

describe('wrong or unknown credentials', () => {
  test('raw: wrong secret key → InvalidSignatureException', async () => {
    const res = await raw.call('ListSecrets', {}, {
      sign: { credentials: { accessKeyId: server.accessKeyId, secretAccessKey: `${server.secretAccessKey}x` } },
    });
    assertAuthError(res, 'InvalidSignatureException', SIGNATURE_MISMATCH);
  });

  test('SDK: wrong secret key → InvalidSignatureException', async () => {
    const client = sdk({ credentials: { accessKeyId: server.accessKeyId, secretAccessKey: randomBytes(30).toString('base64') } });
    try {
      const err = await sdkError(client.send(new ListSecretsCommand({})));
      assert.equal(err.name, 'InvalidSignatureException');
      assert.ok(err.message.startsWith(SIGNATURE_MISMATCH), err.message);
      assert.equal(err.$metadata.httpStatusCode, 400);
    } finally {
      client.destroy();
    }
  });

  test('raw: unknown access key id → UnrecognizedClientException', async () => {
    const res = await raw.call('ListSecrets', {}, {
      sign: { credentials: { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: server.secretAccessKey } },
    });
    assertAuthError(res, 'UnrecognizedClientException', BAD_TOKEN);
    assert.equal(res.json.message, BAD_TOKEN);
  });

  test('SDK: unknown access key id → UnrecognizedClientException', async () => {
    const client = sdk({ credentials: { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'whatever' } });
    try {
      const err = await sdkError(client.send(new ListSecretsCommand({})));
      assert.equal(err.name, 'UnrecognizedClientException');
      assert.equal(err.message, BAD_TOKEN);
      assert.equal(err.$metadata.httpStatusCode, 400);
    } finally {
      client.destroy();
    }
  });

  test('a signature of the right shape but wrong value', async () => {
    const res = await raw.call('ListSecrets', {}, {
      afterSign: ({ headers }) => {
        headers.Authorization = headers.Authorization!.replace(/Signature=[0-9a-f]{64}/, `Signature=${'0'.repeat(64)}`);
      },
    });
    assertAuthError(res, 'InvalidSignatureException', SIGNATURE_MISMATCH);
  });

  test('a signature that is not 64 hex digits', async () => {
    for (const signature of ['abc', 'Z'.repeat(64), `${'a'.repeat(64)}00`]) {
      const res = await raw.call('ListSecrets', {}, {
        afterSign: ({ headers }) => {
          headers.Authorization = headers.Authorization!.replace(/Signature=[0-9a-f]{64}/, `Signature=${signature}`);
        },
      });
      assertAuthError(res, 'InvalidSignatureException', SIGNATURE_MISMATCH);
    }
  });
});

describe('clock skew', () => {
  test('raw: signed 20 minutes ago → "Signature expired:"', async () => {
    const date = new Date(Date.now() - 20 * MINUTE);
    const res = await raw.call('ListSecrets', {}, { sign: { date } });
    assertAuthError(res, 'InvalidSignatureException', 'Signature expired:');
    assert.match(res.json.message, new RegExp(`^Signature expired: ${amzDate(date)} is now earlier than ${AMZ} \\(${AMZ} - 5 min\\.\\)$`));
  });

  test('raw: signed 20 minutes in the future → "Signature not yet current:"', async () => {
    const date = new Date(Date.now() + 20 * MINUTE);
    const res = await raw.call('ListSecrets', {}, { sign: { date } });
    assertAuthError(res, 'InvalidSignatureException', 'Signature not yet current:');
    assert.match(res.json.message, new RegExp(`^Signature not yet current: ${amzDate(date)} is still later than ${AMZ} \\(${AMZ} \\+ 5 min\\.\\)$`));
  });

  test('SDK: a client clock 20 minutes slow → "Signature expired:"', async () => {
    const client = sdk({ systemClockOffset: -20 * MINUTE });
    try {
      const err = await sdkError(client.send(new ListSecretsCommand({})));
      assert.equal(err.name, 'InvalidSignatureException');
      assert.match(err.message, /^Signature expired:/);
      assert.equal(err.$metadata.httpStatusCode, 400);
    } finally {
      client.destroy();
    }
  });

  test('SDK: a client clock 20 minutes fast → "Signature not yet current:"', async () => {
    const client = sdk({ systemClockOffset: 20 * MINUTE });
    try {
      const err = await sdkError(client.send(new ListSecretsCommand({})));
      assert.equal(err.name, 'InvalidSignatureException');
      assert.match(err.message, /^Signature not yet current:/);
    } finally {
      client.destroy();
    }
  });

  test('an X-Amz-Date that is not ISO-8601 basic format', async () => {
    // Signed consistently (scope date = its first 8 characters), so only the format is wrong.
    const res = await raw.call('ListSecrets', {}, { headers: { 'X-Amz-Date': '2024-01-01T00:00:00Z' } });
    assertAuthError(res, 'IncompleteSignatureException', "Date must be in ISO-8601 'basic format'. Got '2024-01-01T00:00:00Z'.");
  });

  test('a Date header may stand in for X-Amz-Date', async () => {
    const res = await raw.call('ListSecrets', {}, { headers: { 'X-Amz-Date': undefined, Date: new Date().toUTCString() } });
    assert.equal(res.status, 200, res.text);
    const stale = await raw.call('ListSecrets', {}, { headers: { 'X-Amz-Date': undefined, Date: new Date(Date.now() - 20 * MINUTE).toUTCString() } });
    assertAuthError(stale, 'InvalidSignatureException', 'Signature expired:');
  });
});

describe('missing or malformed Authorization', () => {
  test('no Authorization header → MissingAuthenticationTokenException', async () => {
    const res = await raw.call('ListSecrets', {}, { sign: false });
    assertAuthError(res, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  });

  test('Authorization without Signature → IncompleteSignatureException', async () => {
    const res = await raw.call('ListSecrets', {}, {
      afterSign: ({ headers }) => {
        headers.Authorization = headers.Authorization!.replace(/, Signature=[0-9a-f]{64}/, '');
      },
    });
    assertAuthError(res, 'IncompleteSignatureException', /Authorization header requires 'Signature' parameter\./);
    assert.match(res.json.message, /Authorization=AWS4-HMAC-SHA256 Credential=/, 'the raw header follows, as AWS does');
  });

  test('Authorization without SignedHeaders and Credential → one sentence per problem', async () => {
    const res = await raw.call('ListSecrets', {}, {
      afterSign: ({ headers }) => {
        headers.Authorization = `AWS4-HMAC-SHA256 Signature=${'a'.repeat(64)}`;
      },
    });
    assertAuthError(res, 'IncompleteSignatureException', /requires 'Credential' parameter\..*requires 'SignedHeaders' parameter\./);
  });

  test('a component that is not key=value', async () => {
    const res = await raw.call('ListSecrets', {}, {
      afterSign: ({ headers }) => {
        headers.Authorization = headers.Authorization!.replace('SignedHeaders=', 'SignedHeaders');
      },
    });
    assertAuthError(res, 'IncompleteSignatureException', /not a valid key=value pair \(missing equal-sign\) in Authorization header/);
  });

  test('another algorithm than AWS4-HMAC-SHA256', async () => {
    const res = await raw.call('ListSecrets', {}, {
      afterSign: ({ headers }) => {
        headers.Authorization = headers.Authorization!.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512');
      },
    });
    assertAuthError(res, 'IncompleteSignatureException', "Authorization header requires the 'AWS4-HMAC-SHA256' algorithm.");
  });

  test('neither X-Amz-Date nor Date → IncompleteSignatureException', async () => {
    const res = await raw.call('ListSecrets', {}, {
      afterSign: ({ headers }) => {
        delete headers['X-Amz-Date'];
      },
    });
    assertAuthError(res, 'IncompleteSignatureException', /requires existence of either a 'X-Amz-Date' or a 'Date' header/);
  });

  test('a Credential that is not <key>/<date>/<region>/<service>/aws4_request', async () => {
    const res = await raw.call('ListSecrets', {}, {
      afterSign: ({ headers }) => {
        headers.Authorization = headers.Authorization!.replace(/Credential=[^,]+/, `Credential=${server.accessKeyId}`);
      },
    });
    assertAuthError(res, 'IncompleteSignatureException', `Credential '${server.accessKeyId}' is not of the form <key>/<date>/<region>/<service>/aws4_request.`);
  });

  test('Host not among the signed headers', async () => {
    const res = await raw.call('ListSecrets', {}, { sign: { signedHeaders: ['content-type', 'x-amz-date', 'x-amz-target'] } });
    assertAuthError(res, 'InvalidSignatureException', "'Host' or ':authority' must be a 'SignedHeader'");
  });
});

describe('credential scope', () => {
  test('service kms on a secretsmanager target → "Credential should be scoped to correct service"', async () => {
    const res = await raw.call('ListSecrets', {}, { sign: { service: 'kms' } });
    assertAuthError(res, 'InvalidSignatureException', "Credential should be scoped to correct service: 'secretsmanager'.");
  });

  test('a terminator other than aws4_request', async () => {
    const res = await raw.call('ListSecrets', {}, { sign: { terminator: 'aws4_reqest' } });
    assertAuthError(res, 'InvalidSignatureException', "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_reqest'.");
  });

  test('a scope date other than the X-Amz-Date day', async () => {
    const res = await raw.call('ListSecrets', {}, { sign: { scopeDate: '20200101' } });
    assertAuthError(res, 'InvalidSignatureException', "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20200101'");
  });
});

describe('the signature covers the request', () => {
  test('body tampered with after signing → InvalidSignatureException', async () => {
    const res = await raw.call('GetSecretValue', { SecretId: 'auth/none' }, {
      afterSign: (req) => {
        req.body = Buffer.from(JSON.stringify({ SecretId: 'auth/other' }));
        req.headers['Content-Length'] = String(req.body.length);
      },
    });
    assertAuthError(res, 'InvalidSignatureException', SIGNATURE_MISMATCH);
    // The debugging text shows the canonical request: a payload hash, never the body.
    assert.ok(!res.text.includes('auth/other'));
  });

  test('a signed header changed after signing (X-Amz-Target) → InvalidSignatureException', async () => {
    const res = await raw.call('ListSecrets', {}, {
      afterSign: ({ headers }) => {
        headers['X-Amz-Target'] = 'secretsmanager.GetRandomPassword';
      },
    });
    assertAuthError(res, 'InvalidSignatureException', SIGNATURE_MISMATCH);
  });

  test('an UNSIGNED-PAYLOAD x-amz-content-sha256 is refused: the body must be signed', async () => {
    // Otherwise whoever sees a request in flight could swap its body within the skew window.
    const res = await raw.call('CreateSecret', { Name: 'auth/unsigned', SecretString: 'x', ClientRequestToken: 'u'.repeat(36) }, {
      headers: { 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' },
      afterSign: (req) => {
        req.body = Buffer.from(JSON.stringify({ Name: 'auth/unsigned-swapped', SecretString: 'y', ClientRequestToken: 'u'.repeat(36) }));
      },
    });
    assertAuthError(res, 'InvalidSignatureException', 'The provided x-amz-content-sha256 header does not match');
  });

  test('an x-amz-content-sha256 that is not the hash of the body', async () => {
    const res = await raw.call('ListSecrets', {}, { headers: { 'X-Amz-Content-Sha256': 'f'.repeat(64) } });
    assertAuthError(res, 'InvalidSignatureException', 'The provided x-amz-content-sha256 header does not match');
  });
});

describe('session tokens', () => {
  // Coffer issues no temporary credentials, so any session token is one it did not issue (reference §2.7).
  test('a request carrying X-Amz-Security-Token is refused as an unknown token', async () => {
    const res = await raw.call('ListSecrets', {}, {
      sign: { credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey, sessionToken: 'FwoGZXIvYXdzEXAMPLE' } },
    });
    assertAuthError(res, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  });
});

test('nothing was written by the refused requests', async () => {
  const attacker = sdk({ credentials: { accessKeyId: server.accessKeyId, secretAccessKey: 'wrong' } });
  const client = sdk();
  try {
    const err = await sdkError(attacker.send(new CreateSecretCommand({ Name: 'auth/forged', SecretString: 'x' })));
    assert.equal(err.name, 'InvalidSignatureException');
    const res = await raw.call('CreateSecret', { Name: 'auth/forged-raw', SecretString: 'x', ClientRequestToken: 'c'.repeat(36) }, {
      afterSign: (req) => {
        req.body = Buffer.from(JSON.stringify({ Name: 'auth/forged-raw', SecretString: 'y', ClientRequestToken: 'c'.repeat(36) }));
      },
    });
    assertAuthError(res, 'InvalidSignatureException', SIGNATURE_MISMATCH);
    const list = await client.send(new ListSecretsCommand({}));
    assert.deepEqual(list.SecretList ?? [], []);
    await assert.rejects(client.send(new GetSecretValueCommand({ SecretId: 'auth/forged' })), { name: 'ResourceNotFoundException' });
  } finally {
    attacker.destroy();
    client.destroy();
  }
});

test('auth failures are logged as client errors, never as internal errors', async () => {
  assert.equal(await server.stop(), 0);
  stopped = true;
  const lines = readFileSync(server.logFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { level: number; status?: number; errorCode?: string });
  assert.ok(lines.some((l) => l.errorCode === 'InvalidSignatureException' && l.status === 400));
  assert.ok(lines.some((l) => l.errorCode === 'UnrecognizedClientException' && l.status === 400));
  assert.deepEqual(lines.filter((l) => l.level >= 50 || (l.status ?? 0) >= 500), []);
});
