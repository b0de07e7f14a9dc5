// The AWS managed key aws/secretsmanager is usable only through Secrets Manager. A user
// allowed kms:* on "*" who copies a secret's wrapped data key out of coffer.db cannot have
// KMS decrypt it, nor encrypt or make data keys with the key; the account root cannot either.
// Through Secrets Manager, a user with no KMS permission still reads the secret.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateDataKeyCommand, GetKeyPolicyCommand, KMSClient, ReEncryptCommand } from '@aws-sdk/client-kms';
import { clientConfig, startServer, tempDir, type TestServer } from '../support/coffer-server.js';
import { iamQuery } from '../support/iam-query.js';
import { rejectsWith, uniqueName } from '../support/sdk-errors.js';

const MANAGED = 'alias/aws/secretsmanager';
let server: TestServer;
let admin: { secrets: SecretsManagerClient; kms: KMSClient };

before(async () => {
  server = await startServer();
  admin = { secrets: new SecretsManagerClient(clientConfig(server)), kms: new KMSClient(clientConfig(server)) };
});
after(async () => {
  admin.secrets.destroy();
  admin.kms.destroy();
  assert.equal(await server.stop(), 0);
});

/** The version's wrapped data key, read from a copy of the running server's database (WAL included). */
function wrappedDataKey(secretArn: string, versionId: string): Buffer {
  const copy = tempDir('coffer-managed-key-');
  for (const file of ['coffer.db', 'coffer.db-wal']) {
    if (existsSync(join(server.dataDir, file))) copyFileSync(join(server.dataDir, file), join(copy, file));
  }
  const db = new Database(join(copy, 'coffer.db'), { fileMustExist: true });
  try {
    const row = db
      .prepare('SELECT v.wrapped_data_key AS blob FROM secret_versions v JOIN secrets s ON s.id = v.secret_id WHERE s.arn = ? AND v.version_id = ?')
      .get(secretArn, versionId) as { blob: Buffer } | undefined;
    assert.ok(row?.blob, 'the version has a wrapped data key');
    return row.blob;
  } finally {
    db.close();
    rmSync(copy, { recursive: true, force: true });
  }
}

test('a wrapped data key of aws/secretsmanager does not decrypt through KMS, for a kms:* user or the root user', async () => {
  const name = uniqueName('managed-key/db');
  const created = await admin.secrets.send(new CreateSecretCommand({ Name: name, SecretString: 'only through secrets manager' }));
  const blob = wrappedDataKey(created.ARN!, created.VersionId!);
  const iam = iamQuery(server);
  const thief = await iam.userWith('kms-everything', [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }]);
  const thiefKms = new KMSClient({ ...clientConfig(server), credentials: thief.credentials });
  const reader = await iam.userWith('reader', [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: created.ARN! }]);
  const readerSecrets = new SecretsManagerClient({ ...clientConfig(server), credentials: reader.credentials });
  try {
    const EncryptionContext = { SecretARN: created.ARN!, SecretVersionId: created.VersionId! };
    for (const [who, kms] of [['kms:* user', thiefKms], ['root user', admin.kms]] as const) {
      await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext })), 'AccessDeniedException', undefined).catch((error: Error) =>
        assert.fail(`${who} Decrypt: ${error.message}`),
      );
      await rejectsWith(kms.send(new ReEncryptCommand({ CiphertextBlob: blob, SourceEncryptionContext: EncryptionContext, DestinationKeyId: MANAGED })), 'AccessDeniedException');
      await rejectsWith(kms.send(new EncryptCommand({ KeyId: MANAGED, Plaintext: Buffer.from('x') })), 'AccessDeniedException');
      await rejectsWith(kms.send(new GenerateDataKeyCommand({ KeyId: MANAGED, KeySpec: 'AES_256' })), 'AccessDeniedException');
    }
    // Through Secrets Manager, reading needs no KMS permission.
    assert.equal((await readerSecrets.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'only through secrets manager');
  } finally {
    thiefKms.destroy();
    readerSecrets.destroy();
  }
});

test("aws/secretsmanager's key policy is AWS's: use through Secrets Manager by the account, metadata for the account", async () => {
  const described = await admin.kms.send(new DescribeKeyCommand({ KeyId: MANAGED }));
  assert.equal(described.KeyMetadata?.KeyManager, 'AWS');
  const policy = JSON.parse((await admin.kms.send(new GetKeyPolicyCommand({ KeyId: described.KeyMetadata!.KeyId!, PolicyName: 'default' }))).Policy!) as {
    Statement: Array<{ Principal: unknown; Action: string | string[]; Condition?: Record<string, Record<string, string>> }>;
  };
  const via = `secretsmanager.${server.region}.amazonaws.com`;
  const usage = policy.Statement.filter((s) => JSON.stringify(s.Action).includes('kms:Decrypt') || JSON.stringify(s.Action).includes('GenerateDataKey'));
  assert.equal(usage.length, 2);
  for (const statement of usage) {
    assert.deepEqual(statement.Principal, { AWS: '*' });
    const conditions = Object.assign({}, ...Object.values(statement.Condition ?? {})) as Record<string, string>;
    assert.equal(conditions['kms:ViaService'], via);
    assert.equal(conditions['kms:CallerAccount'], '000000000000');
  }
});
