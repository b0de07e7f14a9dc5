// The audit record of a query-protocol request: IAM's and STS's event sources, and no credential
// of the response in it (policy documents stay).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { requestRecord, type RequestFacts } from '../../src/audit/api-call-record.js';
import { cloudTrailService } from '../../src/api/cloudtrail/cloudtrail-service.js';
import { iamService } from '../../src/api/iam/iam-service.js';
import { kmsService } from '../../src/api/kms/kms-service.js';
import { secretsManagerService } from '../../src/api/secretsmanager/secrets-manager-service.js';
import { stsService } from '../../src/api/sts/sts-service.js';

// What each API's descriptor tells the audit log (no handler is called here).
const api = {
  sts: stsService({ directory: {} } as never).audit,
  iam: iamService({ directory: {} } as never).audit,
  cloudtrail: cloudTrailService({} as never).audit,
  secretsmanager: secretsManagerService({} as never).audit,
  kms: kmsService({} as never).audit,
};

const req = { socket: { remoteAddress: '127.0.0.1' }, headers: { 'user-agent': 'Boto3/1.34' } } as unknown as IncomingMessage;
const facts = (overrides: Partial<RequestFacts>): RequestFacts => ({
  requestId: 'r-1',
  account: '111122223333',
  region: 'us-east-1',
  time: Date.UTC(2030, 0, 1),
  principalArn: 'arn:aws:iam::111122223333:user/alice',
  accessKeyId: 'AKIAEXAMPLE',
  ...overrides,
});

test('AssumeRole is recorded under sts.amazonaws.com without the secret key or session token', () => {
  const record = requestRecord(
    req,
    facts({
      api: api.sts,
      operation: 'AssumeRole',
      input: { RoleArn: 'arn:aws:iam::111122223333:role/app', RoleSessionName: 's1', Policy: '{"Version":"2012-10-17"}' },
      output: {
        Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'very-secret', SessionToken: 'token-value', Expiration: 1 },
        AssumedRoleUser: { AssumedRoleId: 'AROAEXAMPLE:s1', Arn: 'arn:aws:sts::111122223333:assumed-role/app/s1' },
      },
    }),
  );
  assert.equal(record.eventSource, 'sts.amazonaws.com');
  assert.equal(record.eventName, 'AssumeRole');
  const text = JSON.stringify(record);
  assert.ok(!text.includes('very-secret') && !text.includes('token-value'), text);
  assert.deepEqual((record.responseElements as { credentials: object }).credentials, { accessKeyId: 'ASIAEXAMPLE', expiration: 1 });
  assert.equal((record.requestParameters as { policy: string }).policy, '{"Version":"2012-10-17"}');
});

test('CreateAccessKey is recorded under iam.amazonaws.com without the secret access key', () => {
  const record = requestRecord(
    req,
    facts({
      api: api.iam,
      operation: 'CreateAccessKey',
      input: { UserName: 'alice' },
      output: { AccessKey: { UserName: 'alice', AccessKeyId: 'AKIANEW', Status: 'Active', SecretAccessKey: 'fresh-secret' } },
    }),
  );
  assert.equal(record.eventSource, 'iam.amazonaws.com');
  assert.ok(!JSON.stringify(record).includes('fresh-secret'));
});

test('a read records no response elements, as CloudTrail records none for reads', () => {
  for (const [service, operation] of [
    ['cloudtrail', 'LookupEvents'],
    ['secretsmanager', 'GetSecretValue'],
    ['secretsmanager', 'DescribeSecret'],
    ['kms', 'Decrypt'],
    ['kms', 'GenerateDataKey'],
  ] as const) {
    const record = requestRecord(req, facts({ api: api[service], operation, input: { MaxResults: 5 }, output: { Events: [{ CloudTrailEvent: '{"big":1}' }], KeyId: 'k' } }));
    assert.equal(record.responseElements, null, `${operation}: ${JSON.stringify(record.responseElements)}`);
    assert.notEqual(record.requestParameters, null, operation);
  }
  const write = requestRecord(req, facts({ api: api.secretsmanager, operation: 'CreateSecret', input: { Name: 'a' }, output: { ARN: 'arn:x', Name: 'a' } }));
  assert.deepEqual(write.responseElements, { arn: 'arn:x', name: 'a' });
});

test('an oversized field is replaced by {omitted: true} and free text is cut, so every record is bounded', () => {
  const huge = 'x'.repeat(300 * 1024);
  const record = requestRecord(
    { ...req, headers: { 'user-agent': huge } } as unknown as IncomingMessage,
    facts({ api: api.secretsmanager, operation: 'CreateSecret', input: { Name: 'a', Description: huge }, output: { ARN: huge }, error: { code: 'ValidationException', message: huge } }),
  );
  assert.deepEqual(record.requestParameters, { omitted: true });
  assert.deepEqual(record.responseElements, { omitted: true });
  assert.ok(JSON.stringify(record).length < 64 * 1024, `record of ${JSON.stringify(record).length} bytes`);
});
