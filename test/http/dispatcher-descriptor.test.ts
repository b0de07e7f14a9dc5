// The front end answers and records each API as its descriptor (`ApiService`) says: the member
// its access denials carry their message in, the code of an internal failure, its name in
// metrics, and its CloudTrail event source and resources.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { ApiService } from '../../src/api/operation.js';
import { kmsService } from '../../src/api/kms/kms-service.js';
import { operatorService } from '../../src/api/operator/operator-service.js';
import { secretsManagerService } from '../../src/api/secretsmanager/secrets-manager-service.js';
import type { AuditLog } from '../../src/audit/audit-log.js';
import type { AuditRecord } from '../../src/audit/cloudtrail-record.js';
import { Dispatcher } from '../../src/http/dispatcher.js';
import type { SigV4Verifier } from '../../src/http/sigv4.js';
import type { Authorizer } from '../../src/iam/authorizer.js';

const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const records: AuditRecord[] = [];
const observed: string[] = [];
let server: Server;
let url: string;

/** The real descriptor, with handlers of the test's own and no authorization targets of its own. */
function served(service: ApiService, handlers: ApiService['handlers']): ApiService {
  return { ...service, authorization: undefined, handlers };
}

before(async () => {
  const boom = async (): Promise<never> => {
    throw new Error('boom');
  };
  const dispatcher = new Dispatcher({
    services: [
      served(kmsService({} as never), { ListKeys: boom, GetKeyPolicy: boom, DescribeKey: async () => ({ KeyMetadata: { KeyId: 'k', Arn: KEY_ARN } }), Decrypt: async () => ({ KeyId: KEY_ARN }) }),
      served(secretsManagerService({} as never), { ListSecrets: boom, DescribeSecret: boom }),
      served(operatorService({} as never), { GetSealStatus: async () => ({ sealed: false }) }),
    ],
    verifier: { verify: async () => ({ accessKeyId: 'AKIAEXAMPLE', region: 'us-east-1', principalArn: 'arn:aws:iam::111122223333:user/alice' }) } as unknown as SigV4Verifier,
    // DescribeSecret and GetKeyPolicy are refused, everything else allowed.
    authorizer: {
      userIdOf: async () => 'AIDAEXAMPLE',
      decide: async (_caller: unknown, target: { action: string }) => (target.action.endsWith(':DescribeSecret') || target.action.endsWith(':GetKeyPolicy') ? { allowed: false, message: 'not allowed' } : { allowed: true }),
    } as unknown as Authorizer,
    audit: { record: async (record: AuditRecord) => void records.push(record), ensureWritable: async () => undefined } as unknown as AuditLog,
    observe: (service, operation, status) => observed.push(`${service} ${operation} ${status}`),
    logger: pino({ level: 'silent' }),
    account: '111122223333',
    partition: 'aws',
    defaultRegion: 'us-east-1',
    bodyLimit: 1024 * 1024,
  });
  server = createServer((req, res) => void dispatcher.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function call(target: string, input: object = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': target }, body: JSON.stringify(input) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('an internal failure is KMSInternalException for KMS and InternalServiceError for Secrets Manager', async () => {
  assert.deepEqual(await call('TrentService.ListKeys'), { status: 500, body: { __type: 'KMSInternalException', Message: 'An internal error occurred. Retry the request.' } });
  assert.deepEqual(await call('secretsmanager.ListSecrets'), { status: 500, body: { __type: 'InternalServiceError', Message: 'An internal error occurred. Retry the request.' } });
});

test("the front end's refusals carry Secrets Manager's Message, and KMS's message", async () => {
  const secret = await call('secretsmanager.DescribeSecret', { SecretId: 's' });
  assert.deepEqual(secret, { status: 400, body: { __type: 'AccessDeniedException', Message: 'not allowed' } });
  const key = await call('TrentService.GetKeyPolicy', { KeyId: 'k' });
  assert.deepEqual(key, { status: 400, body: { __type: 'AccessDeniedException', message: 'not allowed' } });
  // Allowed, but served by no handler.
  const unserved = await call('secretsmanager.GetRandomPassword');
  assert.equal(unserved.body.__type, 'InvalidRequestException');
  assert.match(String(unserved.body.Message), /does not support the GetRandomPassword operation/);
});

test('metrics name an AWS API by its signing name and one of Coffer’s own by its target prefix', async () => {
  observed.length = 0;
  await call('TrentService.DescribeKey', { KeyId: 'k' });
  await call('CofferOperator.GetSealStatus');
  assert.deepEqual(observed, ['kms DescribeKey 200', 'CofferOperator GetSealStatus 200']);
});

test('records carry the event source and the resource the descriptor names; a KMS cryptographic call records no response', async () => {
  records.length = 0;
  await call('TrentService.DescribeKey', { KeyId: 'k' });
  await call('TrentService.Decrypt', { CiphertextBlob: Buffer.from('x').toString('base64') });
  await call('CofferOperator.GetSealStatus');
  assert.deepEqual(
    records.map((r) => [r.eventSource, r.eventName, r.resources, r.responseElements]),
    [
      ['kms.amazonaws.com', 'DescribeKey', [{ ARN: KEY_ARN, accountId: '111122223333', type: 'AWS::KMS::Key' }], null],
      ['kms.amazonaws.com', 'Decrypt', [{ ARN: KEY_ARN, accountId: '111122223333', type: 'AWS::KMS::Key' }], null],
      ['operator.coffer', 'GetSealStatus', undefined, null],
    ],
  );
});
