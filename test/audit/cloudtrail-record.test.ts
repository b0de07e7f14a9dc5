import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRecord, redactParameters, type AuditRecord, type RecordInput } from '../../src/audit/cloudtrail-record.js';
import { lowerCamelCase } from '../../src/audit/parameter-redaction.js';
import { appendEntries, GENESIS_HEAD } from '../../src/audit/hash-chain.js';
import { ACCOUNT } from './chain-fixture.js';

const SM = 'secretsmanager.amazonaws.com';
const KMS = 'kms.amazonaws.com';
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

const call = (eventSource: string, eventName: string, parts: Partial<RecordInput> = {}): AuditRecord =>
  buildRecord({
    eventSource,
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '192.0.2.10',
    userAgent: 'aws-cli/2',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT, accessKeyId: 'AKIAEXAMPLE' },
    requestID: 'req-1',
    readOnly: false,
    ...parts,
  });

test('a record has the CloudTrail fields, with the time to the second and a time-ordered UUID event ID', () => {
  const record = call(SM, 'DescribeSecret', {
    requestParameters: { SecretId: 'app/db' },
    time: new Date('2025-05-20T20:45:00.987Z'),
    readOnly: true,
    error: { code: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." },
  });
  const { eventID, ...rest } = record;
  // UUID version 7: the first 48 bits are the time in milliseconds.
  assert.match(eventID, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(parseInt(eventID.replace('-', '').slice(0, 12), 16), Date.parse('2025-05-20T20:45:00.987Z'));
  assert.deepEqual(rest, {
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT, accessKeyId: 'AKIAEXAMPLE' },
    eventTime: '2025-05-20T20:45:00Z',
    eventSource: SM,
    eventName: 'DescribeSecret',
    awsRegion: 'us-east-1',
    sourceIPAddress: '192.0.2.10',
    userAgent: 'aws-cli/2',
    errorCode: 'ResourceNotFoundException',
    errorMessage: "Secrets Manager can't find the specified secret.",
    requestParameters: { secretId: 'app/db' },
    responseElements: null,
    requestID: 'req-1',
    readOnly: true,
    eventType: 'AwsApiCall',
    recipientAccountId: ACCOUNT,
  });
  const service = call(KMS, 'RotateKeyOnSchedule', {
    eventType: 'AwsServiceEvent',
    userIdentity: { type: 'AWSService', accountId: ACCOUNT, invokedBy: KMS },
    recipientAccountId: '444455556666',
    eventID: 'b6fb4d2c-5c7e-4a0d-9f8e-0c1d2e3f4a5b',
  });
  assert.equal(service.eventID, 'b6fb4d2c-5c7e-4a0d-9f8e-0c1d2e3f4a5b');
  assert.equal(service.eventType, 'AwsServiceEvent');
  assert.equal(service.recipientAccountId, '444455556666');
  assert.ok(!('errorCode' in service) && !('errorMessage' in service));
  assert.notEqual(call(SM, 'ListSecrets').eventID, call(SM, 'ListSecrets').eventID);
});

test('member names take CloudTrail\'s lower camel case', () => {
  const cases = { KeyId: 'keyId', KMSKeyId: 'kmsKeyId', ARN: 'arn', SecretARN: 'secretARN', A: 'a', keyId: 'keyId', '': '' };
  for (const [name, expected] of Object.entries(cases)) assert.equal(lowerCamelCase(name), expected);
});

test('redaction keeps what CloudTrail records and omits what it does not', () => {
  assert.deepEqual(
    redactParameters(KMS, 'Decrypt', {
      CiphertextBlob: 'AQIDBAUG',
      KeyId: KEY_ARN,
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      // Recorded whole, names and all, even one that is an omitted member's name elsewhere.
      EncryptionContext: { Department: 'Engineering', Password: 'context-is-not-secret' },
      Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: 'ZG9j' },
    }),
    {
      keyId: KEY_ARN,
      encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      encryptionContext: { Department: 'Engineering', Password: 'context-is-not-secret' },
      recipient: { keyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' },
    },
  );
  assert.deepEqual(redactParameters(KMS, 'Decrypt', { Plaintext: 'c2VjcmV0', KeyId: KEY_ARN }), { keyId: KEY_ARN });
  assert.deepEqual(
    redactParameters(KMS, 'Sign', { KeyId: KEY_ARN, Message: 'bXNn', MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }),
    { keyId: KEY_ARN, messageType: 'RAW', signingAlgorithm: 'ECDSA_SHA_256' },
  );
  assert.deepEqual(
    redactParameters(SM, 'PutSecretValue', { SecretId: 'app/db', secretString: 'x', SECRETBINARY: 'eA==', VersionStages: ['AWSCURRENT'] }),
    { secretId: 'app/db', versionStages: ['AWSCURRENT'] },
  );
  assert.deepEqual(redactParameters(SM, 'GetRandomPassword', { PasswordLength: 32, ExcludeNumbers: true }), {
    passwordLength: 32,
    excludeNumbers: true,
  });
  assert.equal(redactParameters(SM, 'ListSecrets', undefined), null);
  assert.equal(redactParameters(SM, 'ListSecrets', null), null);
});

/** Every secret value below is unique and listed, so that finding it anywhere in the log is a leak. */
const planted: string[] = [];
const secret = (name: string) => {
  planted.push(`SECRET-${name}-7f3a91`);
  return planted.at(-1)!;
};

const secretCalls: [string, string, Partial<RecordInput>][] = [
  [SM, 'CreateSecret', { requestParameters: { Name: 'app/db', SecretString: secret('create-string') } }],
  [SM, 'PutSecretValue', { requestParameters: { SecretId: 'app/db', SecretBinary: Buffer.from(secret('put-binary')) } }],
  [SM, 'UpdateSecret', { requestParameters: { SecretId: 'app/db', SecretBinary: Buffer.from(secret('b64')).toString('base64') } }],
  [SM, 'GetSecretValue', { responseElements: { ARN: 'arn', SecretString: secret('get-string'), SecretBinary: new Uint8Array(Buffer.from(secret('get-binary'))) } }],
  [SM, 'BatchGetSecretValue', { responseElements: { SecretValues: [{ Name: 'a', SecretString: secret('batch-1') }, { Name: 'b', SecretString: secret('batch-2') }] } }],
  [SM, 'GetRandomPassword', { responseElements: { RandomPassword: secret('random-password') } }],
  [SM, 'RotateSecret', { requestParameters: { SecretId: 'app/db', RotationToken: secret('rotation-token') } }],
  [KMS, 'Encrypt', { requestParameters: { KeyId: KEY_ARN, Plaintext: secret('plaintext') }, responseElements: { CiphertextBlob: secret('ciphertext') } }],
  [KMS, 'ReEncrypt', { requestParameters: { CiphertextBlob: secret('re-in'), DestinationKeyId: KEY_ARN }, responseElements: { CiphertextBlob: secret('re-out') } }],
  [KMS, 'GenerateDataKey', { responseElements: { Plaintext: secret('data-key'), CiphertextBlob: secret('data-key-blob'), CiphertextForRecipient: secret('for-recipient') } }],
  [KMS, 'GenerateDataKeyPair', { responseElements: { PrivateKeyPlaintext: secret('pair-private'), PrivateKeyCiphertextBlob: secret('pair-blob'), PublicKey: 'cHVi' } }],
  [KMS, 'GenerateRandom', { responseElements: { Plaintext: Buffer.from(secret('random-bytes')) } }],
  [KMS, 'DeriveSharedSecret', { responseElements: { SharedSecret: secret('shared') } }],
  [KMS, 'GenerateMac', { requestParameters: { KeyId: KEY_ARN, Message: secret('mac-message') }, responseElements: { Mac: secret('mac') } }],
  [KMS, 'Verify', { requestParameters: { KeyId: KEY_ARN, Message: secret('signed'), Signature: secret('signature') } }],
  [KMS, 'ImportKeyMaterial', { requestParameters: { KeyId: KEY_ARN, EncryptedKeyMaterial: secret('key-material'), ImportToken: secret('import-token') } }],
  [KMS, 'CreateCustomKeyStore', { requestParameters: { KeyStorePassword: secret('keystore-password'), XksProxyAuthenticationCredential: { AccessKeyId: secret('xks-id'), RawSecretAccessKey: secret('xks-key') } } }],
  ['coffer.operator', 'Unseal', { requestParameters: { Share: secret('share'), Shares: [secret('share-1'), secret('share-2')], Passphrase: secret('passphrase') } }],
  ['coffer.operator', 'Configure', { requestParameters: { RootPassphrase: secret('root-passphrase'), Settings: { Password: secret('nested-password') } } }],
  [SM, 'ListSecrets', { requestParameters: { Credentials: [{ SecretAccessKey: secret('access-key'), SessionToken: secret('session'), SigningKey: secret('signing-key') }] } }],
];

test('no secret value reaches a serialized log entry', () => {
  const entries = appendEntries(GENESIS_HEAD, secretCalls.map(([source, name, parts]) => call(source, name, parts)));
  const log = entries.map((entry) => JSON.stringify(entry)).join('\n');
  assert.equal(new Set(planted).size, 38);
  for (const value of planted) {
    assert.ok(!log.includes(value), `${value} was recorded`);
    assert.ok(!log.includes(Buffer.from(value).toString('base64')), `${value} was recorded in base64`);
  }
  // What is not secret stays, so the omissions above are not an empty record's doing.
  assert.ok(log.includes('"destinationKeyId"') && log.includes('"publicKey":"cHVi"') && log.includes('"settings":{}'));
});

test('event IDs are unique and sort by time, so the event ID index grows at its end', () => {
  const at = (ms: number) => call(SM, 'GetSecretValue', { time: new Date(Date.UTC(2025, 4, 20) + ms), readOnly: true }).eventID;
  const ids = [at(0), at(0), at(1), at(1000), at(86_400_000)];
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(ids[1]! < ids[2]! && ids[2]! < ids[3]! && ids[3]! < ids[4]!, ids.join(' '));
});
