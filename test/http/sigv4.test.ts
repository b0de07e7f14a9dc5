/**
 * SigV4Verifier against requests signed by the AWS SDK's own signer. `@smithy/signature-v4` and
 * `@smithy/core` (its `Hash`, the SHA-256 the SDK uses on Node) are not dependencies of Coffer:
 * they are installed under node_modules as dependencies of @aws-sdk/client-secrets-manager (a
 * dev dependency), which is enough for a test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/core/serde';
import { SigV4Verifier, type CredentialResolver } from '../../src/http/sigv4.js';
import { ServiceError } from '../../src/errors/service-error.js';
import { sessionTokenDigest } from '../../src/iam/session-token.js';

const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const PRINCIPAL = 'arn:aws:iam::111122223333:user/alice';
const SIGNED_AT = Date.UTC(2024, 0, 2, 3, 4, 5); // 20240102T030405Z
const MINUTE = 60_000;
const BODY = '{"SecretId":"prod/db"}';

const resolver: CredentialResolver = {
  async resolve(accessKeyId) {
    return accessKeyId === CREDENTIALS.accessKeyId ? { principalArn: PRINCIPAL, secretAccessKey: CREDENTIALS.secretAccessKey } : undefined;
  },
};

const verifier = (options: { clock?: number; credentials?: CredentialResolver; verifySignatures?: boolean } = {}) =>
  new SigV4Verifier(options.credentials ?? resolver, {
    verifySignatures: options.verifySignatures ?? true,
    clock: () => options.clock ?? SIGNED_AT,
  });

interface SignOptions {
  method?: string;
  path?: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
  region?: string;
  service?: string;
  applyChecksum?: boolean;
  secretAccessKey?: string;
  sessionToken?: string;
  accessKeyId?: string;
}

/** Signs like the SDK does and returns the headers it would send (lowercase names). */
async function sign(options: SignOptions = {}): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    service: options.service ?? 'secretsmanager',
    region: options.region ?? 'us-east-1',
    credentials: {
      accessKeyId: options.accessKeyId ?? CREDENTIALS.accessKeyId,
      secretAccessKey: options.secretAccessKey ?? CREDENTIALS.secretAccessKey,
      ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}),
    },
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: options.applyChecksum ?? true,
  });
  const signed = await signer.sign(
    {
      method: options.method ?? 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4566,
      path: options.path ?? '/',
      query: options.query ?? {},
      headers: {
        host: '127.0.0.1:4566',
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'secretsmanager.GetSecretValue',
        ...options.headers,
      },
      body: options.body ?? BODY,
    },
    { signingDate: new Date(SIGNED_AT) },
  );
  return signed.headers as Record<string, string>;
}

/** What node:http hands the server: raw headers as received, `headers` lowercased with duplicates joined by ', '. */
function incoming(rawHeaders: [string, string][], url = '/', method = 'POST'): IncomingMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of rawHeaders) {
    const key = name.toLowerCase();
    headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
  }
  return { method, url, headers, rawHeaders: rawHeaders.flat() } as unknown as IncomingMessage;
}

const asRaw = (headers: Record<string, string>): [string, string][] => Object.entries(headers);

function serviceError(code: string, message?: string | RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ServiceError, `not a ServiceError: ${String(error)}`);
    assert.equal(error.code, code);
    if (typeof message === 'string') assert.equal(error.message, message);
    else if (message) assert.match(error.message, message);
    return true;
  };
}

const MISMATCH = /^The request signature we calculated does not match the signature you provided\./;

// --- requests signed by the SDK's signer ---------------------------------------------------

test('a request signed by the AWS SDK signer verifies', async () => {
  const headers = await sign();
  assert.ok(headers['x-amz-content-sha256'], 'the signer sent a payload hash');
  const caller = await verifier().verify(incoming(asRaw(headers)), Buffer.from(BODY), 'secretsmanager');
  assert.deepEqual(caller, { accessKeyId: CREDENTIALS.accessKeyId, principalArn: PRINCIPAL, region: 'us-east-1', service: 'secretsmanager' });
});

test('a request signed without x-amz-content-sha256 verifies over the body hash', async () => {
  const headers = await sign({ applyChecksum: false });
  assert.equal(headers['x-amz-content-sha256'], undefined);
  await verifier().verify(incoming(asRaw(headers)), Buffer.from(BODY), 'secretsmanager');
});

test('the region comes from the credential scope; kms requests verify for the kms service', async () => {
  const headers = await sign({ region: 'eu-central-1', service: 'kms', headers: { 'x-amz-target': 'TrentService.Encrypt' } });
  const caller = await verifier().verify(incoming(asRaw(headers)), Buffer.from(BODY), 'kms');
  assert.equal(caller.region, 'eu-central-1');
  assert.equal(caller.service, 'kms');
});

test('header names in any case and any order, plus unsigned headers, still verify', async () => {
  const headers = await sign();
  const raw: [string, string][] = asRaw(headers)
    .reverse()
    .map(([name, value]) => [name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase()), value]);
  raw.push(['User-Agent', 'aws-sdk-js/3'], ['X-Forwarded-For', '10.0.0.1']);
  await verifier().verify(incoming(raw), Buffer.from(BODY), 'secretsmanager');
});

test('an empty body and a GET with a non-root path verify', async () => {
  const empty = await sign({ body: '' });
  await verifier().verify(incoming(asRaw(empty)), Buffer.alloc(0), 'secretsmanager');
  const get = await sign({ method: 'GET', path: '/coffer/a%20b/c', body: '' });
  await verifier().verify(incoming(asRaw(get), '/coffer/a%20b/c', 'GET'), Buffer.alloc(0), 'secretsmanager');
});

// --- canonical headers ---------------------------------------------------------------------

test('duplicate headers are joined with "," (from the raw headers, not node\'s ", ")', async () => {
  const headers = await sign({ headers: { 'x-amz-meta-dup': 'first,second' } });
  const { 'x-amz-meta-dup': _, ...rest } = headers;
  const raw: [string, string][] = [...asRaw(rest), ['X-Amz-Meta-Dup', 'first'], ['x-amz-meta-dup', 'second']];
  const req = incoming(raw);
  assert.equal(req.headers['x-amz-meta-dup'], 'first, second', 'node joins them with ", "');
  await verifier().verify(req, Buffer.from(BODY), 'secretsmanager');

  await assert.rejects(
    verifier().verify(incoming([...asRaw(rest), ['x-amz-meta-dup', 'first']]), Buffer.from(BODY), 'secretsmanager'),
    serviceError('InvalidSignatureException', MISMATCH),
  );
  await assert.rejects(
    verifier().verify(incoming([...asRaw(rest), ['x-amz-meta-dup', 'second'], ['x-amz-meta-dup', 'first']]), Buffer.from(BODY), 'secretsmanager'),
    serviceError('InvalidSignatureException', MISMATCH),
    'the order of duplicates matters',
  );
});

test('header values are trimmed and runs of spaces collapse to one', async () => {
  const headers = await sign({ headers: { 'x-amz-meta-spaced': 'a b c' } });
  const raw = asRaw(headers).map(([name, value]): [string, string] => [name, name === 'x-amz-meta-spaced' ? '  a   b    c  ' : value]);
  await verifier().verify(incoming(raw), Buffer.from(BODY), 'secretsmanager');

  const signedSpaced = await sign({ headers: { 'x-amz-meta-spaced': '  x     y ' } });
  await verifier().verify(incoming(asRaw(signedSpaced)), Buffer.from(BODY), 'secretsmanager');
});

test('tabs inside a header value collapse like spaces, as the SDK signers do', async () => {
  const headers = await sign({ headers: { 'x-amz-meta-tabbed': 'a\tb' } });
  await verifier().verify(incoming(asRaw(headers)), Buffer.from(BODY), 'secretsmanager');
});

test('a changed signed header value fails', async () => {
  const headers = await sign();
  const raw = asRaw({ ...headers, 'x-amz-target': 'secretsmanager.DeleteSecret' });
  await assert.rejects(verifier().verify(incoming(raw), Buffer.from(BODY), 'secretsmanager'), serviceError('InvalidSignatureException', MISMATCH));
});

test('Host must be a signed header', async () => {
  const headers = await sign();
  const authorization = headers.authorization!.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=content-type;x-amz-date;x-amz-target');
  await assert.rejects(
    verifier().verify(incoming(asRaw({ ...headers, authorization })), Buffer.from(BODY), 'secretsmanager'),
    serviceError('InvalidSignatureException', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."),
  );
});

// --- canonical query string ----------------------------------------------------------------

test('the query string is canonicalised: sorted, re-encoded, empty values, repeated names', async () => {
  const query = { b: '2', a: 'x y', c: ['3', '1'], 'k~': 'v/w', empty: '', Upper: 'U' };
  const headers = await sign({ method: 'GET', query, body: '' });
  // Same parameters, other order, other (equivalent) encodings, a bare name for the empty value.
  const url = '/?c=3&b=2&empty&a=x%20y&k%7E=v%2Fw&Upper=%55&c=1';
  await verifier().verify(incoming(asRaw(headers), url, 'GET'), Buffer.alloc(0), 'secretsmanager');
  await verifier().verify(incoming(asRaw(headers), '/?Upper=U&a=x%20y&b=2&c=1&c=3&empty=&k~=v%2Fw', 'GET'), Buffer.alloc(0), 'secretsmanager');

  for (const tampered of ['/?c=3&b=2&empty&a=x%20y&k%7E=v%2Fw&Upper=U', '/?c=3&b=3&empty&a=x%20y&k%7E=v%2Fw&Upper=U&c=1', '/']) {
    await assert.rejects(
      verifier().verify(incoming(asRaw(headers), tampered, 'GET'), Buffer.alloc(0), 'secretsmanager'),
      serviceError('InvalidSignatureException', MISMATCH),
      tampered,
    );
  }
});

// --- payload -------------------------------------------------------------------------------

test('an x-amz-content-sha256 that does not match the body is rejected', async () => {
  const headers = await sign();
  await assert.rejects(
    verifier().verify(incoming(asRaw(headers)), Buffer.from('{"SecretId":"other"}'), 'secretsmanager'),
    serviceError('InvalidSignatureException', 'The provided x-amz-content-sha256 header does not match what was computed.'),
  );
});

test('a changed body fails the signature when no payload hash header was sent', async () => {
  const headers = await sign({ applyChecksum: false });
  await assert.rejects(
    verifier().verify(incoming(asRaw(headers)), Buffer.from('{"SecretId":"other"}'), 'secretsmanager'),
    serviceError('InvalidSignatureException', MISMATCH),
  );
});

// --- clock skew ----------------------------------------------------------------------------

test('clock skew: exactly 5 minutes either way is accepted', async () => {
  const headers = await sign();
  for (const clock of [SIGNED_AT + 5 * MINUTE, SIGNED_AT - 5 * MINUTE]) {
    await verifier({ clock }).verify(incoming(asRaw(headers)), Buffer.from(BODY), 'secretsmanager');
  }
});

test('clock skew: a signature 5 minutes and 1 second old has expired', async () => {
  const headers = await sign();
  await assert.rejects(
    verifier({ clock: SIGNED_AT + 5 * MINUTE + 1000 }).verify(incoming(asRaw(headers)), Buffer.from(BODY), 'secretsmanager'),
    serviceError(
      'InvalidSignatureException',
      'Signature expired: 20240102T030405Z is now earlier than 20240102T030406Z (20240102T030906Z - 5 min.)',
    ),
  );
});

test('clock skew: a signature 5 minutes and 1 second in the future is not yet current', async () => {
  const headers = await sign();
  await assert.rejects(
    verifier({ clock: SIGNED_AT - 5 * MINUTE - 1000 }).verify(incoming(asRaw(headers)), Buffer.from(BODY), 'secretsmanager'),
    serviceError(
      'InvalidSignatureException',
      'Signature not yet current: 20240102T030405Z is still later than 20240102T030404Z (20240102T025904Z + 5 min.)',
    ),
  );
});

// --- credentials and scope -----------------------------------------------------------------

test('an unknown access key: UnrecognizedClientException', async () => {
  const headers = await sign();
  const nobody: CredentialResolver = { resolve: async () => undefined };
  await assert.rejects(
    verifier({ credentials: nobody }).verify(incoming(asRaw(headers)), Buffer.from(BODY), 'secretsmanager'),
    serviceError('UnrecognizedClientException', 'The security token included in the request is invalid.'),
  );
});

test('a wrong secret key: InvalidSignatureException explaining the canonical request', async () => {
  const headers = await sign({ secretAccessKey: 'not-the-secret' });
  await assert.rejects(verifier().verify(incoming(asRaw(headers)), Buffer.from(BODY), 'secretsmanager'), (error: unknown) => {
    serviceError('InvalidSignatureException', MISMATCH)(error);
    const message = (error as Error).message;
    assert.match(message, /The Canonical String for this request should have been\n'POST\n\/\n\n/);
    assert.match(message, /The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20240102T030405Z\n20240102\/us-east-1\/secretsmanager\/aws4_request\n/);
    assert.equal(message.includes(CREDENTIALS.secretAccessKey), false, 'no secret in the message');
    return true;
  });
});

test('a credential scoped to another service is refused', async () => {
  const headers = await sign({ service: 'kms' });
  await assert.rejects(
    verifier().verify(incoming(asRaw(headers)), Buffer.from(BODY), 'secretsmanager'),
    serviceError('InvalidSignatureException', "Credential should be scoped to correct service: 'secretsmanager'. "),
  );
});

test('no Authorization header: MissingAuthenticationTokenException', async () => {
  const { authorization: _, ...headers } = await sign();
  await assert.rejects(
    verifier().verify(incoming(asRaw(headers)), Buffer.from(BODY), 'secretsmanager'),
    serviceError('MissingAuthenticationTokenException', 'Missing Authentication Token'),
  );
});

test('with verifySignatures off, the scope is still read and checked but no key is looked up', async () => {
  const headers = await sign({ secretAccessKey: 'anything', region: 'ap-south-1' });
  const refusing: CredentialResolver = {
    resolve: async () => {
      throw new Error('must not be called');
    },
  };
  const caller = await verifier({ credentials: refusing, verifySignatures: false }).verify(incoming(asRaw(headers)), Buffer.from(BODY), 'secretsmanager');
  assert.deepEqual(caller, { accessKeyId: CREDENTIALS.accessKeyId, region: 'ap-south-1', service: 'secretsmanager' });
  await assert.rejects(
    verifier({ credentials: refusing, verifySignatures: false, clock: SIGNED_AT + 6 * MINUTE }).verify(
      incoming(asRaw(headers)),
      Buffer.from(BODY),
      'secretsmanager',
    ),
    serviceError('InvalidSignatureException', /^Signature expired/),
  );
});

// --- STS session credentials ----------------------------------------------------------------

const SESSION = { accessKeyId: 'ASIAIOSFODNN7EXAMPLE', secretAccessKey: 'session-secret', sessionToken: 'FwoGZXIvYXdzEXAMPLE/token+value==' };
const SESSION_ARN = 'arn:aws:sts::111122223333:assumed-role/app/s1';
const ROLE_ARN = 'arn:aws:iam::111122223333:role/app';
const SESSION_POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:*","Resource":"*"}]}';

const withSession: CredentialResolver = {
  async resolve(accessKeyId) {
    if (accessKeyId !== SESSION.accessKeyId) return resolver.resolve(accessKeyId);
    return {
      principalArn: SESSION_ARN,
      secretAccessKey: SESSION.secretAccessKey,
      expiresAt: SIGNED_AT + 2 * MINUTE,
      sessionTokenHash: sessionTokenDigest(SESSION.sessionToken),
      sessionIssuerArn: ROLE_ARN,
      sessionPolicy: SESSION_POLICY,
    };
  },
};

const signSession = (options: SignOptions = {}) => sign({ ...SESSION, ...options });
const INVALID_TOKEN = 'The security token included in the request is invalid.';

test('session credentials with their token verify, and the caller carries the role and session policy', async () => {
  const headers = await signSession();
  assert.equal(headers['x-amz-security-token'], SESSION.sessionToken);
  const caller = await verifier({ credentials: withSession }).verify(incoming(asRaw(headers)), Buffer.from(BODY), 'secretsmanager');
  assert.deepEqual(caller, {
    accessKeyId: SESSION.accessKeyId,
    principalArn: SESSION_ARN,
    sessionIssuerArn: ROLE_ARN,
    sessionPolicy: SESSION_POLICY,
    region: 'us-east-1',
    service: 'secretsmanager',
  });
});

test('session credentials without their token, or with another, are an invalid token', async () => {
  const missing = await sign({ accessKeyId: SESSION.accessKeyId, secretAccessKey: SESSION.secretAccessKey });
  await assert.rejects(verifier({ credentials: withSession }).verify(incoming(asRaw(missing)), Buffer.from(BODY), 'secretsmanager'), serviceError('UnrecognizedClientException', INVALID_TOKEN));
  const tampered = await signSession({ sessionToken: `${SESSION.sessionToken}x` });
  await assert.rejects(verifier({ credentials: withSession }).verify(incoming(asRaw(tampered)), Buffer.from(BODY), 'secretsmanager'), serviceError('UnrecognizedClientException', INVALID_TOKEN));
});

test('a session token must be a signed header', async () => {
  const headers = await sign({ accessKeyId: SESSION.accessKeyId, secretAccessKey: SESSION.secretAccessKey });
  const raw = asRaw(headers);
  raw.push(['X-Amz-Security-Token', SESSION.sessionToken]);
  // Like every x-amz-* header, an unsigned token is refused before any key is looked up.
  await assert.rejects(
    verifier({ credentials: withSession }).verify(incoming(raw), Buffer.from(BODY), 'secretsmanager'),
    serviceError('InvalidSignatureException', /not signed: x-amz-security-token/),
  );
});

test('a long-term key sent with a session token is an invalid token', async () => {
  const headers = await sign({ sessionToken: SESSION.sessionToken });
  await assert.rejects(verifier({ credentials: withSession }).verify(incoming(asRaw(headers)), Buffer.from(BODY), 'secretsmanager'), serviceError('UnrecognizedClientException', INVALID_TOKEN));
});

test('session credentials past their expiry: ExpiredTokenException (the clock is the verifier\'s)', async () => {
  const headers = await signSession();
  // The session ends 2 minutes after signing; 3 minutes after, the signature itself is still current.
  await assert.rejects(
    verifier({ credentials: withSession, clock: SIGNED_AT + 3 * MINUTE }).verify(incoming(asRaw(headers)), Buffer.from(BODY), 'secretsmanager'),
    serviceError('ExpiredTokenException', 'The security token included in the request is expired'),
  );
  await verifier({ credentials: withSession, clock: SIGNED_AT + 2 * MINUTE - 1 }).verify(incoming(asRaw(headers)), Buffer.from(BODY), 'secretsmanager');
});
