// The query protocol on the wire, with requests no SDK sends: unsigned, unknown or missing
// actions, bad signatures. Errors come back as AWS's XML, with the query services' codes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/coffer-server.js';
import { rawClientFor, type RawClient, type RawResponse } from '../support/raw-client.js';

const FORM = 'application/x-www-form-urlencoded; charset=utf-8';
const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

let server: TestServer;
let raw: RawClient;

before(async () => {
  server = await startServer();
  raw = rawClientFor(server);
});
after(async () => {
  assert.equal(await server.stop(), 0);
});

function query(service: 'iam' | 'sts' | undefined, body: string, options: { secretAccessKey?: string } = {}): Promise<RawResponse> {
  const credentials = options.secretAccessKey ? { accessKeyId: server.accessKeyId, secretAccessKey: options.secretAccessKey } : undefined;
  return raw.send({
    body,
    headers: { 'Content-Type': FORM },
    sign: service === undefined ? false : { service, ...(credentials ? { credentials } : {}) },
  });
}

function assertXmlError(res: RawResponse, status: number, namespace: string, code: string, message?: RegExp): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.headers['content-type'], 'text/xml');
  assert.match(res.text, new RegExp(`^<ErrorResponse xmlns="${namespace}"><Error><Type>Sender</Type><Code>${code}</Code><Message>`));
  assert.match(res.text, new RegExp(`<RequestId>${res.headers['x-amzn-requestid']}</RequestId></ErrorResponse>$`));
  if (message) assert.match(res.text, message);
}

test('GetCallerIdentity signed for sts answers XML with its result and request id', async () => {
  const res = await query('sts', 'Action=GetCallerIdentity&Version=2011-06-15');
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers['content-type'], 'text/xml');
  assert.match(res.text, new RegExp(`^<GetCallerIdentityResponse xmlns="${STS_NS}"><GetCallerIdentityResult><UserId>\\d{12}</UserId>`));
  assert.match(res.text, /<Arn>arn:aws:iam::\d{12}:root<\/Arn><\/GetCallerIdentityResult><ResponseMetadata><RequestId>/);
});

test('an unsigned request is MissingAuthenticationToken, in the namespace of the API version it names', async () => {
  assertXmlError(await query(undefined, 'Action=ListUsers&Version=2010-05-08'), 403, IAM_NS, 'MissingAuthenticationToken');
});

test('an unknown action is InvalidAction; a missing one is MissingAction', async () => {
  assertXmlError(await query('iam', 'Action=FlyToTheMoon&Version=2010-05-08'), 400, IAM_NS, 'InvalidAction', /Could not find operation FlyToTheMoon for version 2010-05-08/);
  assertXmlError(await query('iam', 'Version=2010-05-08'), 400, IAM_NS, 'MissingAction');
});

test('a modelled operation Coffer does not serve is InvalidAction, saying so', async () => {
  assertXmlError(await query('iam', 'Action=CreateLoginProfile&Version=2010-05-08&UserName=u&Password=p'), 400, IAM_NS, 'InvalidAction', /does not support the CreateLoginProfile operation/);
});

test('a wrong secret is SignatureDoesNotMatch (403)', async () => {
  assertXmlError(await query('sts', 'Action=GetCallerIdentity&Version=2011-06-15', { secretAccessKey: 'wrong' }), 403, STS_NS, 'SignatureDoesNotMatch');
});

test('model validation is ValidationError; IAM errors carry the model\'s status', async () => {
  assertXmlError(await query('iam', 'Action=CreateUser&Version=2010-05-08&UserName=a%20b'), 400, IAM_NS, 'ValidationError', /at 'userName' failed to satisfy constraint/);
  assertXmlError(await query('iam', 'Action=GetUser&Version=2010-05-08&UserName=nobody'), 404, IAM_NS, 'NoSuchEntity', /The user with name nobody cannot be found\./);
});

test('a JSON request sent with a form content type but an X-Amz-Target stays a JSON request', async () => {
  const res = await raw.send({ target: 'ListSecrets', body: '{}', headers: { 'Content-Type': FORM } });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json.SecretList, []);
});
