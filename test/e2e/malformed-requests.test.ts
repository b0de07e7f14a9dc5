/**
 * Bad input, end to end: a table of malformed requests sent raw (signed, so
 * they reach validation), each answered with the AWS error for it, status 400,
 * request id and Date headers and a JSON `__type` body; never a 5xx. Afterwards
 * the stored state is exactly what it was before the table.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  type SecretListEntry,
} from '@aws-sdk/client-secrets-manager';
import { clientConfig, startServer, type TestServer } from '../support/coffer-server.js';
import { rawClientFor, type RawClient, type RawRequest, type RawResponse } from '../support/raw-client.js';

let server: TestServer;
let client: SecretsManagerClient;
let raw: RawClient;
let stopped = false;
/** Request id → status of every response of the table, to match against the log. */
const answered = new Map<string, number>();

interface Row {
  name: string;
  request: RawRequest;
  /** Expected `__type`; absent for a row that must succeed. */
  code?: string;
  /** Substring of the error message. */
  message?: string;
  /** Text that must not appear anywhere in the response (e.g. a sensitive value). */
  notEchoed?: string;
}

/** Errors raised by the front end carry `message`; Secrets Manager service errors `Message` (§1.4). */
const FRONT_END = new Set(['SerializationException', 'ValidationException', 'UnknownOperationException']);

const ALPHA = 'table/alpha';
const token = () => randomUUID();
const op = (target: string, body: unknown): RawRequest => ({ target, body });
const ARN_PREFIX = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:';
const NOT_FOUND = "Secrets Manager can't find the specified secret.";
const NO_TOKEN = 'You must provide a ClientRequestToken value. We recommend a UUID-type value.';
const tooLong = (n: number) => `Member must have length less than or equal to ${n}`;
const tooShort = (n: number) => `Member must have length greater than or equal to ${n}`;
const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
const filters = (n: number) => Array.from({ length: n }, () => ({ Key: 'name', Values: ['table'] }));

// 65,537 bytes of UTF-8 in 21,847 characters: under the model's character limit, over AWS's byte limit.
const MULTIBYTE_65537 = '€'.repeat(21845) + 'ab';
const LARGE_MARKER = `large-${randomUUID()}`;

const rows: Row[] = [
  // --- the body is not a JSON object ---
  { name: 'truncated JSON', request: op('ListSecrets', '{"MaxResults": '), code: 'SerializationException', message: 'not valid JSON' },
  { name: 'JSON followed by garbage', request: op('ListSecrets', '{} trailing'), code: 'SerializationException', message: 'not valid JSON' },
  { name: 'single-quoted JSON', request: op('GetSecretValue', "{'SecretId': 'table/alpha'}"), code: 'SerializationException', message: 'not valid JSON' },
  { name: 'binary garbage body', request: op('ListSecrets', Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x80])), code: 'SerializationException', message: 'not valid JSON' },
  { name: 'JSON array body', request: op('ListSecrets', '[]'), code: 'SerializationException', message: 'must be a JSON object' },
  { name: 'JSON array of objects', request: op('GetSecretValue', '[{"SecretId":"table/alpha"}]'), code: 'SerializationException', message: 'must be a JSON object' },
  { name: 'JSON string body', request: op('ListSecrets', '"hello"'), code: 'SerializationException', message: 'must be a JSON object' },
  { name: 'JSON number body', request: op('ListSecrets', '42'), code: 'SerializationException', message: 'must be a JSON object' },
  { name: 'JSON null body', request: op('ListSecrets', 'null'), code: 'SerializationException', message: 'must be a JSON object' },
  { name: 'JSON boolean body', request: op('ListSecrets', 'true'), code: 'SerializationException', message: 'must be a JSON object' },

  // --- members of the wrong JSON type ---
  { name: 'string for an integer (MaxResults)', request: op('ListSecrets', { MaxResults: '10' }), code: 'SerializationException', message: "Value of 'MaxResults' must be a number (integer), not a string" },
  { name: 'fraction for an integer (MaxResults)', request: op('ListSecrets', { MaxResults: 1.5 }), code: 'SerializationException', message: "'MaxResults' must be a number (integer), not a fractional number" },
  { name: 'integer beyond int32 (MaxResults)', request: op('ListSecrets', { MaxResults: 2 ** 40 }), code: 'SerializationException', message: "'MaxResults' is out of range" },
  { name: 'number for a string (Name)', request: op('CreateSecret', { Name: 5, ClientRequestToken: token(), SecretString: 'x' }), code: 'SerializationException', message: "Value of 'Name' must be a string, not an integer" },
  { name: 'object for a list (Filters)', request: op('ListSecrets', { Filters: { Key: 'name', Values: ['x'] } }), code: 'SerializationException', message: "Value of 'Filters' must be an array, not an object" },
  { name: 'list for a string (SecretId)', request: op('GetSecretValue', { SecretId: [ALPHA] }), code: 'SerializationException', message: "Value of 'SecretId' must be a string, not an array" },
  { name: 'string for a boolean (IncludePlannedDeletion)', request: op('ListSecrets', { IncludePlannedDeletion: 'true' }), code: 'SerializationException', message: "Value of 'IncludePlannedDeletion' must be a boolean, not a string" },
  { name: 'string for a structure (Tags[0])', request: op('CreateSecret', { Name: 'malformed/tag-string', ClientRequestToken: token(), Tags: ['k'] }), code: 'SerializationException', message: "Value of 'Tags[0]' must be an object, not a string" },
  { name: 'string for a nested list (Filters[0].Values)', request: op('ListSecrets', { Filters: [{ Key: 'name', Values: 'table' }] }), code: 'SerializationException', message: "Value of 'Filters[0].Values' must be an array, not a string" },
  { name: 'number for a blob (SecretBinary)', request: op('CreateSecret', { Name: 'malformed/blob-number', ClientRequestToken: token(), SecretBinary: 123 }), code: 'SerializationException', message: "Value of 'SecretBinary' must be a base64-encoded string" },

  // --- routing ---
  { name: 'unknown X-Amz-Target operation', request: op('secretsmanager.StealAllSecrets', {}), code: 'UnknownOperationException', message: 'Unknown operation secretsmanager.StealAllSecrets' },
  { name: 'missing X-Amz-Target', request: { body: {} }, code: 'UnknownOperationException', message: 'X-Amz-Target header is missing' },
  { name: 'target of a service Coffer does not serve (SSM)', request: op('AmazonSSM.GetParameter', { Name: 'x' }), code: 'UnknownOperationException', message: 'Unknown operation AmazonSSM.GetParameter' },
  { name: 'target of another service prefix (DynamoDB)', request: op('DynamoDB_20120810.ListTables', {}), code: 'UnknownOperationException', message: 'Unknown operation' },
  { name: 'target naming an Object.prototype member', request: op('secretsmanager.constructor', {}), code: 'UnknownOperationException', message: 'Unknown operation' },
  { name: 'operation name in the wrong case', request: op('secretsmanager.getSecretValue', { SecretId: ALPHA }), code: 'UnknownOperationException', message: 'Unknown operation' },
  { name: 'GET /', request: { method: 'GET', target: 'ListSecrets', body: '' }, code: 'UnknownOperationException', message: 'GET method is not supported' },
  { name: 'PUT /', request: { method: 'PUT', target: 'ListSecrets', body: {} }, code: 'UnknownOperationException', message: 'PUT method is not supported' },

  // --- sizes ---
  { name: 'oversized body (1 MiB + 1) with Content-Length', request: op('ListSecrets', Buffer.alloc(1024 * 1024 + 1, 0x20)), code: 'SerializationException', message: 'larger than the limit' },
  { name: 'oversized body (2 MiB) sent chunked', request: { target: 'ListSecrets', body: Buffer.alloc(2 * 1024 * 1024, 0x20), chunked: true }, code: 'SerializationException', message: 'larger than the limit' },
  {
    name: 'SecretString of 65,537 ASCII bytes',
    request: op('CreateSecret', { Name: 'malformed/too-large', ClientRequestToken: token(), SecretString: LARGE_MARKER + 'a'.repeat(65537 - LARGE_MARKER.length) }),
    code: 'ValidationException',
    message: `Value at 'secretString' failed to satisfy constraint: ${tooLong(65536)}`,
    notEchoed: LARGE_MARKER,
  },
  {
    name: 'SecretString of 65,537 bytes of multi-byte UTF-8 (21,847 characters)',
    request: op('PutSecretValue', { SecretId: ALPHA, ClientRequestToken: token(), SecretString: MULTIBYTE_65537 }),
    code: 'ValidationException',
    message: `Value at 'secretString' failed to satisfy constraint: ${tooLong(65536)}`,
    notEchoed: '€€€€',
  },
  {
    name: 'SecretBinary of 65,537 bytes',
    request: op('PutSecretValue', { SecretId: ALPHA, ClientRequestToken: token(), SecretBinary: randomBytes(65537).toString('base64') }),
    code: 'ValidationException',
    message: `Value at 'secretBinary' failed to satisfy constraint: ${tooLong(65536)}`,
  },
  { name: 'empty SecretString', request: op('PutSecretValue', { SecretId: ALPHA, ClientRequestToken: token(), SecretString: '' }), code: 'ValidationException', message: tooShort(1) },

  // --- values ---
  { name: 'both SecretString and SecretBinary', request: op('PutSecretValue', { SecretId: ALPHA, ClientRequestToken: token(), SecretString: 'a', SecretBinary: 'YQ==' }), code: 'InvalidParameterException', message: "You can't specify both a binary secret value and a string secret value" },
  { name: 'SecretBinary that is not base64', request: op('PutSecretValue', { SecretId: ALPHA, ClientRequestToken: token(), SecretBinary: '!!not base64!!' }), code: 'SerializationException', message: "Value of 'SecretBinary' is not valid base64" },
  { name: 'SecretBinary base64 without padding', request: op('PutSecretValue', { SecretId: ALPHA, ClientRequestToken: token(), SecretBinary: 'YWJjZA' }), code: 'SerializationException', message: 'not valid base64' },
  { name: 'PutSecretValue with no value', request: op('PutSecretValue', { SecretId: ALPHA, ClientRequestToken: token() }), code: 'InvalidRequestException', message: 'You must provide either SecretString or SecretBinary.' },

  // --- secret names ---
  { name: 'name with a space', request: op('CreateSecret', { Name: 'malformed/has space', ClientRequestToken: token(), SecretString: 'x' }), code: 'ValidationException', message: 'Invalid name. Must be a valid name containing alphanumeric characters' },
  { name: 'name with #', request: op('CreateSecret', { Name: 'malformed/hash#tag', ClientRequestToken: token(), SecretString: 'x' }), code: 'ValidationException', message: 'Invalid name.' },
  { name: 'name with *', request: op('CreateSecret', { Name: 'malformed/star*', ClientRequestToken: token(), SecretString: 'x' }), code: 'ValidationException', message: 'Invalid name.' },
  { name: 'name of 513 characters', request: op('CreateSecret', { Name: 'm'.repeat(513), ClientRequestToken: token(), SecretString: 'x' }), code: 'ValidationException', message: `at 'name' failed to satisfy constraint: ${tooLong(512)}` },
  { name: 'empty name', request: op('CreateSecret', { Name: '', ClientRequestToken: token(), SecretString: 'x' }), code: 'ValidationException', message: tooShort(1) },
  { name: 'missing Name', request: op('CreateSecret', { ClientRequestToken: token(), SecretString: 'x' }), code: 'ValidationException', message: "Value null at 'name' failed to satisfy constraint: Member must not be null" },
  { name: 'explicit null for required Name', request: op('CreateSecret', { Name: null, ClientRequestToken: token(), SecretString: 'x' }), code: 'ValidationException', message: "Value null at 'name'" },

  // --- SecretId ---
  { name: 'SecretId that is an invalid name', request: op('GetSecretValue', { SecretId: 'table/al pha' }), code: 'ValidationException', message: 'Invalid name.' },
  { name: 'SecretId of 2049 characters', request: op('GetSecretValue', { SecretId: 's'.repeat(2049) }), code: 'ValidationException', message: `at 'secretId' failed to satisfy constraint: ${tooLong(2048)}` },
  { name: 'empty SecretId', request: op('DescribeSecret', { SecretId: '' }), code: 'ValidationException', message: tooShort(1) },
  { name: 'missing SecretId (empty body)', request: op('GetSecretValue', ''), code: 'ValidationException', message: "Value null at 'secretId'" },
  { name: 'ARN with no secret name', request: op('GetSecretValue', { SecretId: ARN_PREFIX }), code: 'ResourceNotFoundException', message: NOT_FOUND },
  { name: 'ARN that is not an ARN', request: op('GetSecretValue', { SecretId: 'arn:this-is-not-an-arn' }), code: 'ResourceNotFoundException', message: NOT_FOUND },
  { name: 'ARN of another account', request: op('GetSecretValue', { SecretId: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${ALPHA}` }), code: 'ResourceNotFoundException', message: NOT_FOUND },
  { name: 'ARN of another service', request: op('DescribeSecret', { SecretId: `arn:aws:kms:us-east-1:000000000000:secret:${ALPHA}` }), code: 'ResourceNotFoundException', message: NOT_FOUND },
  { name: 'ARN with an invalid name character', request: op('DescribeSecret', { SecretId: `${ARN_PREFIX}bad#name-AbCdEf` }), code: 'ResourceNotFoundException', message: NOT_FOUND },

  // --- ClientRequestToken ---
  { name: 'ClientRequestToken of 31 characters', request: op('PutSecretValue', { SecretId: ALPHA, ClientRequestToken: 't'.repeat(31), SecretString: 'x' }), code: 'ValidationException', message: `at 'clientRequestToken' failed to satisfy constraint: ${tooShort(32)}` },
  { name: 'ClientRequestToken of 65 characters', request: op('PutSecretValue', { SecretId: ALPHA, ClientRequestToken: 't'.repeat(65), SecretString: 'x' }), code: 'ValidationException', message: `at 'clientRequestToken' failed to satisfy constraint: ${tooLong(64)}` },
  { name: 'CreateSecret without ClientRequestToken', request: op('CreateSecret', { Name: 'malformed/no-token', SecretString: 'x' }), code: 'InvalidRequestException', message: NO_TOKEN },
  { name: 'PutSecretValue without ClientRequestToken', request: op('PutSecretValue', { SecretId: ALPHA, SecretString: 'x' }), code: 'InvalidRequestException', message: NO_TOKEN },
  { name: 'UpdateSecret with a value but no ClientRequestToken', request: op('UpdateSecret', { SecretId: ALPHA, SecretString: 'x' }), code: 'InvalidRequestException', message: NO_TOKEN },
  { name: 'token missing is reported before the secret is looked up', request: op('PutSecretValue', { SecretId: 'malformed/does-not-exist', SecretString: 'x' }), code: 'InvalidRequestException', message: NO_TOKEN },
  // AWS answers RotateSecret's missing token with InvalidParameterException, also before the lookup.
  { name: 'RotateSecret without ClientRequestToken, before the secret is looked up', request: op('RotateSecret', { SecretId: 'malformed/does-not-exist' }), code: 'InvalidParameterException', message: NO_TOKEN },
  { name: 'VersionId of 3 characters', request: op('GetSecretValue', { SecretId: ALPHA, VersionId: 'abc' }), code: 'ValidationException', message: `at 'versionId' failed to satisfy constraint: ${tooShort(32)}` },

  // --- numbers out of range ---
  { name: 'RecoveryWindowInDays 6', request: op('DeleteSecret', { SecretId: ALPHA, RecoveryWindowInDays: 6 }), code: 'InvalidParameterException', message: 'between 7 and 30 days' },
  { name: 'RecoveryWindowInDays 31', request: op('DeleteSecret', { SecretId: ALPHA, RecoveryWindowInDays: 31 }), code: 'InvalidParameterException', message: 'between 7 and 30 days' },
  { name: 'RecoveryWindowInDays with ForceDeleteWithoutRecovery', request: op('DeleteSecret', { SecretId: ALPHA, RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true }), code: 'InvalidParameterException', message: "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays." },
  { name: 'MaxResults 0', request: op('ListSecrets', { MaxResults: 0 }), code: 'ValidationException', message: "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1" },
  { name: 'MaxResults 101', request: op('ListSecrets', { MaxResults: 101 }), code: 'ValidationException', message: "Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100" },
  { name: 'PasswordLength 0', request: op('GetRandomPassword', { PasswordLength: 0 }), code: 'ValidationException', message: "at 'passwordLength' failed to satisfy constraint: Member must have value greater than or equal to 1" },
  { name: 'PasswordLength 4097', request: op('GetRandomPassword', { PasswordLength: 4097 }), code: 'ValidationException', message: "at 'passwordLength' failed to satisfy constraint: Member must have value less than or equal to 4096" },
  { name: 'GetRandomPassword excluding every character', request: op('GetRandomPassword', { ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true }), code: 'InvalidParameterException', message: 'every character type is excluded' },

  // --- enums and filters ---
  { name: 'bad SortOrder enum', request: op('ListSecrets', { SortOrder: 'sideways' }), code: 'ValidationException', message: "Value 'sideways' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]" },
  { name: 'bad SortBy enum', request: op('ListSecrets', { SortBy: 'size' }), code: 'ValidationException', message: "at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set" },
  { name: 'bad filter key', request: op('ListSecrets', { Filters: [{ Key: 'colour', Values: ['red'] }] }), code: 'ValidationException', message: "Value 'colour' at 'filters.1.member.key' failed to satisfy constraint: Member must satisfy enum value set" },
  { name: 'filter value with a forbidden character', request: op('ListSecrets', { Filters: [{ Key: 'name', Values: ['a#b'] }] }), code: 'ValidationException', message: "Value 'a#b' at 'filters.1.member.values.1.member' failed to satisfy constraint: Member must satisfy regular expression pattern" },
  { name: 'too many filters (11)', request: op('ListSecrets', { Filters: filters(11) }), code: 'ValidationException', message: `at 'filters' failed to satisfy constraint: ${tooLong(10)}` },
  { name: 'too many values in a filter (11)', request: op('ListSecrets', { Filters: [{ Key: 'name', Values: Array.from({ length: 11 }, (_, i) => `v${i}`) }] }), code: 'ValidationException', message: `at 'filters.1.member.values' failed to satisfy constraint: ${tooLong(10)}` },
  { name: 'filter with an empty Values list', request: op('ListSecrets', { Filters: [{ Key: 'name', Values: [] }] }), code: 'ValidationException', message: tooShort(1) },
  { name: 'BatchGetSecretValue with both SecretIdList and Filters', request: op('BatchGetSecretValue', { SecretIdList: [ALPHA], Filters: [{ Key: 'name', Values: ['table'] }] }), code: 'InvalidParameterException', message: 'Either SecretIdList or Filters' },
  { name: 'NextToken that is not ours', request: op('ListSecrets', { NextToken: 'bm90LWEtdG9rZW4' }), code: 'InvalidNextTokenException', message: 'NextToken' },

  // --- tags ---
  { name: 'too many tags (51)', request: op('CreateSecret', { Name: 'malformed/many-tags', ClientRequestToken: token(), SecretString: 'x', Tags: tags(51) }), code: 'InvalidParameterException', message: 'at most 50 tags' },
  { name: 'too many tags added by TagResource', request: op('TagResource', { SecretId: ALPHA, Tags: tags(51) }), code: 'InvalidParameterException', message: 'at most 50 tags' },
  { name: 'tag key of 129 characters', request: op('TagResource', { SecretId: ALPHA, Tags: [{ Key: 'k'.repeat(129), Value: 'v' }] }), code: 'ValidationException', message: `at 'tags.1.member.key' failed to satisfy constraint: ${tooLong(128)}` },
  { name: 'tag key with the reserved aws: prefix', request: op('TagResource', { SecretId: ALPHA, Tags: [{ Key: 'aws:owner', Value: 'v' }] }), code: 'InvalidParameterException', message: 'aws: prefix is reserved' },
  { name: 'duplicate tag keys', request: op('CreateSecret', { Name: 'malformed/dup-tags', ClientRequestToken: token(), SecretString: 'x', Tags: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] }), code: 'InvalidParameterException', message: 'Duplicate tag key a' },

  // --- staging labels ---
  { name: 'VersionStages empty list', request: op('PutSecretValue', { SecretId: ALPHA, ClientRequestToken: token(), SecretString: 'x', VersionStages: [] }), code: 'ValidationException', message: `at 'versionStages' failed to satisfy constraint: ${tooShort(1)}` },
  { name: 'VersionStages with 21 labels', request: op('PutSecretValue', { SecretId: ALPHA, ClientRequestToken: token(), SecretString: 'x', VersionStages: Array.from({ length: 21 }, (_, i) => `L${i}`) }), code: 'ValidationException', message: `at 'versionStages' failed to satisfy constraint: ${tooLong(20)}` },
  { name: 'empty staging label', request: op('GetSecretValue', { SecretId: ALPHA, VersionStage: '' }), code: 'ValidationException', message: `at 'versionStage' failed to satisfy constraint: ${tooShort(1)}` },

  // --- several errors at once ---
  { name: 'two constraint violations in one request', request: op('ListSecrets', { MaxResults: 0, SortOrder: 'up' }), code: 'ValidationException', message: '2 validation errors detected' },

  // --- tolerated input: these succeed ---
  { name: 'explicit null members are treated as absent', request: op('GetSecretValue', { SecretId: ALPHA, VersionId: null, VersionStage: null }) },
  { name: 'explicit null list elements are dropped', request: op('ListSecrets', { Filters: [null, { Key: 'name', Values: [null, 'table'] }], MaxResults: null }) },
  { name: 'unknown members are ignored', request: op('DescribeSecret', { SecretId: ALPHA, NotAMember: 1, Nested: { x: [1, 2] }, __proto__x: true }) },
  { name: 'a __proto__ member is ignored', request: op('ListSecrets', '{"__proto__": {"MaxResults": 0}, "constructor": 1}') },
  { name: 'empty body means {}', request: op('ListSecrets', '') },
  { name: 'Content-Type with a charset', request: { target: 'ListSecrets', body: {}, headers: { 'Content-Type': 'application/x-amz-json-1.1; charset=utf-8' } } },
];

interface Snapshot {
  list: SecretListEntry[];
  values: Record<string, { SecretString?: string; SecretBinary?: string; VersionId?: string; VersionStages?: string[] }>;
  versions: Record<string, unknown>;
}

const SEEDED = ['table/alpha', 'table/beta', 'table/gamma'];
let before_: Snapshot;

async function snapshot(): Promise<Snapshot> {
  const listed = await client.send(new ListSecretsCommand({ IncludePlannedDeletion: true, MaxResults: 100 }));
  // LastAccessedDate moves with reads (day resolution); everything else must not move.
  const list = (listed.SecretList ?? []).map(({ LastAccessedDate: _ignored, ...rest }) => rest);
  const values: Snapshot['values'] = {};
  const versions: Snapshot['versions'] = {};
  for (const name of SEEDED) {
    const v = await client.send(new GetSecretValueCommand({ SecretId: name }));
    values[name] = {
      SecretString: v.SecretString,
      SecretBinary: v.SecretBinary && Buffer.from(v.SecretBinary).toString('base64'),
      VersionId: v.VersionId,
      VersionStages: v.VersionStages,
    };
    const ids = await client.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
    versions[name] = ids.Versions;
  }
  return { list, values, versions };
}

before(async () => {
  server = await startServer();
  client = new SecretsManagerClient(clientConfig(server));
  raw = rawClientFor(server);
  await client.send(new CreateSecretCommand({ Name: 'table/alpha', SecretString: JSON.stringify({ username: 'app', password: randomUUID() }) }));
  await client.send(new PutSecretValueCommand({ SecretId: 'table/alpha', SecretString: `second-${randomUUID()}` }));
  await client.send(new CreateSecretCommand({ Name: 'table/beta', SecretBinary: randomBytes(48) }));
  await client.send(
    new CreateSecretCommand({ Name: 'table/gamma', SecretString: 'gamma', Description: 'seeded', Tags: [{ Key: 'team', Value: 'blue' }] }),
  );
  before_ = await snapshot();
});

after(async () => {
  client?.destroy();
  if (server && !stopped) await server.stop();
  if (server) rmSync(dirname(server.dataDir), { recursive: true, force: true });
});

function checkCommon(res: RawResponse): void {
  assert.ok(res.status < 500, `status ${res.status}: ${res.text}`);
  assert.match(String(res.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/, 'x-amzn-RequestId header');
  assert.ok(res.headers.date && !Number.isNaN(Date.parse(res.headers.date)), 'Date header');
  assert.match(String(res.headers['content-type']), /^application\/x-amz-json-1\.1/);
}

test(`the table has at least 40 malformed requests (${rows.length})`, () => {
  assert.ok(rows.filter((r) => r.code).length >= 40);
  assert.equal(new Set(rows.map((r) => r.name)).size, rows.length, 'row names are unique');
});

for (const row of rows) {
  test(`${row.code ? `${row.code}` : 'success'}: ${row.name}`, async () => {
    const res = await raw.send(row.request);
    checkCommon(res);
    answered.set(String(res.headers['x-amzn-requestid']), res.status);
    if (row.notEchoed) assert.ok(!res.text.includes(row.notEchoed), 'the response echoes a value it must not');
    if (!row.code) {
      assert.equal(res.status, 200, res.text);
      assert.equal(typeof res.json, 'object', 'a JSON object body');
      assert.equal(res.json.__type, undefined);
      return;
    }
    assert.equal(res.status, 400, res.text);
    assert.ok(res.json && typeof res.json === 'object', `JSON error body: ${res.text}`);
    assert.equal(res.json.__type, row.code, res.text);
    const errorType = res.headers['x-amzn-errortype'];
    if (errorType !== undefined) assert.equal(errorType, row.code);
    const key = FRONT_END.has(row.code) ? 'message' : 'Message';
    assert.equal(typeof res.json[key], 'string', `message under "${key}": ${res.text}`);
    if (row.message) assert.ok(res.json[key].includes(row.message), `message ${JSON.stringify(res.json[key])} should contain ${JSON.stringify(row.message)}`);
    assert.doesNotMatch(res.text, /\n\s+at .+:\d+:\d+/, 'no stack trace');
  });
}

test('a client that hangs up in the middle of its body costs nothing', async () => {
  const url = new URL(server.url);
  for (let i = 0; i < 3; i++) {
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(`POST / HTTP/1.1\r\nHost: ${url.host}\r\nX-Amz-Target: secretsmanager.ListSecrets\r\nContent-Length: 1000\r\n\r\n{"Max`);
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
      socket.on('error', reject);
    });
  }
  const res = await raw.call('ListSecrets', {});
  assert.equal(res.status, 200, res.text);
});

test('a forged NextToken with a non-scalar cursor value is refused, not a 500', async () => {
  for (const v of [{ a: 1 }, true, [1]]) {
    const res = await raw.call('ListSecrets', { NextToken: Buffer.from(JSON.stringify({ v, id: 1 })).toString('base64url') });
    checkCommon(res);
    answered.set(String(res.headers['x-amzn-requestid']), res.status);
    assert.equal(res.status, 400, res.text);
    assert.equal(res.json.__type, 'InvalidNextTokenException');
  }
});

test('the malformed requests changed nothing', async () => {
  const after_ = await snapshot();
  assert.deepEqual(after_, before_);
  assert.deepEqual(
    after_.list.map((s) => s.Name).sort(),
    SEEDED,
    'only the seeded secrets exist',
  );
  const named = rows
    .map((r) => (r.request.body && typeof r.request.body === 'object' && !Buffer.isBuffer(r.request.body) ? (r.request.body as { Name?: unknown }).Name : undefined))
    .filter((n): n is string => typeof n === 'string' && /^[A-Za-z0-9/_+=.@-]{1,512}$/.test(n));
  assert.ok(named.length >= 4);
  for (const name of named) {
    await assert.rejects(client.send(new DescribeSecretCommand({ SecretId: name })), { name: 'ResourceNotFoundException' });
  }
});

test('the server stops cleanly; its log has every request and no internal error', async () => {
  client.destroy();
  assert.equal(await server.stop(), 0);
  stopped = true;
  const lines = readFileSync(server.logFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { level: number; requestId?: string; status?: number; msg?: string });
  const logged = new Map(lines.filter((l) => l.requestId && l.status !== undefined).map((l) => [l.requestId!, l.status]));
  for (const [requestId, status] of answered) assert.equal(logged.get(requestId), status, `log line of request ${requestId}`);
  const internal = lines.filter((l) => l.level >= 50 || (l.status ?? 0) >= 500);
  assert.deepEqual(internal, [], 'no internal error was logged');
});
