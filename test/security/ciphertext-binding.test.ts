/**
 * "A ciphertext is bound to its row": with the server stopped, ciphertexts are
 * moved between version rows and secrets in the SQLite file; after a restart
 * each tampered read fails with DecryptionFailure (400, never the other row's
 * value, never a 500) while untouched secrets still read correctly.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { clientConfig, startServer, type TestServer } from '../support/coffer-server.js';
import { rawClientFor } from '../support/raw-client.js';

let server: TestServer;
let client: SecretsManagerClient;

const value = (label: string) => `${label}-${randomUUID()}`;
const SHARED_TOKEN = randomUUID();
const BINARY = randomBytes(40);

/** Secret name → version id → value. */
const values = new Map<string, Map<string, string>>();
const versionIds = new Map<string, string[]>();

async function create(name: string, secretValue: string, token = randomUUID()): Promise<void> {
  await client.send(new CreateSecretCommand({ Name: name, SecretString: secretValue, ClientRequestToken: token }));
  values.set(name, new Map([[token, secretValue]]));
  versionIds.set(name, [token]);
}

async function put(name: string, secretValue: string): Promise<void> {
  const token = randomUUID();
  await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: secretValue, ClientRequestToken: token }));
  values.get(name)!.set(token, secretValue);
  versionIds.get(name)!.push(token);
}

const v = (name: string, i: number) => versionIds.get(name)![i]!;
const valueOf = (name: string, i: number) => values.get(name)!.get(v(name, i))!;

before(async () => {
  server = await startServer();
  client = new SecretsManagerClient(clientConfig(server));
});

after(async () => {
  client?.destroy();
  if (server) {
    await server.stop();
    rmSync(dirname(server.dataDir), { recursive: true, force: true });
  }
});

test('set up: secrets and versions, then stop the server', async () => {
  await create('bind/alpha', value('alpha-1'));
  await put('bind/alpha', value('alpha-2'));
  await create('bind/beta', value('beta'));
  await create('bind/gamma', value('gamma'));
  await create('bind/delta', value('delta'));
  await create('bind/epsilon', value('epsilon'));
  // Two secrets whose versions have the same VersionId: only the ARN tells them apart.
  await create('bind/zeta', value('zeta'), SHARED_TOKEN);
  await create('bind/eta', value('eta'), SHARED_TOKEN);
  await create('bind/theta', value('theta'));
  await client.send(new CreateSecretCommand({ Name: 'bind/iota', SecretBinary: BINARY }));
  await create('bind/untouched', value('untouched'));
  await put('bind/untouched', value('untouched-2'));
  client.destroy();
  assert.equal(await server.stop(), 0);
});

interface Row {
  secret_id: number;
  version_id: string;
  ciphertext: Buffer;
  wrapped_data_key: Buffer;
  value_type: string;
}

test('tamper with the database', () => {
  const db = new Database(join(server.dataDir, 'coffer.db'));
  try {
    const row = (name: string, versionId: string) =>
      db
        .prepare(`SELECT v.* FROM secret_versions v JOIN secrets s ON s.id = v.secret_id WHERE s.name = ? AND v.version_id = ?`)
        .get(name, versionId) as Row;
    const write = db.prepare(`UPDATE secret_versions SET ciphertext = @ciphertext, wrapped_data_key = @wrapped_data_key,
      value_type = @value_type WHERE secret_id = @secret_id AND version_id = @version_id`);
    const copy = (from: Row, to: Row, parts: { ciphertext?: boolean; key?: boolean }) => {
      const changed = write.run({
        ...to,
        ciphertext: parts.ciphertext ? from.ciphertext : to.ciphertext,
        wrapped_data_key: parts.key ? from.wrapped_data_key : to.wrapped_data_key,
      });
      assert.equal(changed.changes, 1);
    };

    // Another version of the same secret: alpha v1 → alpha v2 (the AWSCURRENT one).
    copy(row('bind/alpha', v('bind/alpha', 0)), row('bind/alpha', v('bind/alpha', 1)), { ciphertext: true, key: true });
    // Another secret: beta → gamma.
    copy(row('bind/beta', v('bind/beta', 0)), row('bind/gamma', v('bind/gamma', 0)), { ciphertext: true, key: true });
    // Only the value ciphertext moves (the data key stays): beta → delta.
    copy(row('bind/beta', v('bind/beta', 0)), row('bind/delta', v('bind/delta', 0)), { ciphertext: true });
    // Only the wrapped data key moves: beta → epsilon.
    copy(row('bind/beta', v('bind/beta', 0)), row('bind/epsilon', v('bind/epsilon', 0)), { key: true });
    // Same VersionId, other secret: zeta → eta.
    copy(row('bind/zeta', SHARED_TOKEN), row('bind/eta', SHARED_TOKEN), { ciphertext: true, key: true });

    // One flipped bit in the sealed value.
    const theta = row('bind/theta', v('bind/theta', 0));
    const flipped = Buffer.from(theta.ciphertext);
    flipped[flipped.length - 1] ^= 0x01;
    write.run({ ...theta, ciphertext: flipped });

    // The value type is authenticated too: a binary secret relabelled as a string.
    const iota = db
      .prepare(`SELECT v.* FROM secret_versions v JOIN secrets s ON s.id = v.secret_id WHERE s.name = 'bind/iota'`)
      .get() as Row;
    write.run({ ...iota, value_type: 'string' });
  } finally {
    db.close();
  }
});

test('restart on the same data directory', async () => {
  server = await startServer({ dataDir: server.dataDir });
  client = new SecretsManagerClient(clientConfig(server));
});

const TAMPERED: { name: string; notValues: () => string[] }[] = [
  { name: 'bind/alpha', notValues: () => [valueOf('bind/alpha', 0), valueOf('bind/alpha', 1)] },
  { name: 'bind/gamma', notValues: () => [valueOf('bind/beta', 0), valueOf('bind/gamma', 0)] },
  { name: 'bind/delta', notValues: () => [valueOf('bind/beta', 0), valueOf('bind/delta', 0)] },
  { name: 'bind/epsilon', notValues: () => [valueOf('bind/beta', 0), valueOf('bind/epsilon', 0)] },
  { name: 'bind/eta', notValues: () => [valueOf('bind/zeta', 0), valueOf('bind/eta', 0)] },
  { name: 'bind/theta', notValues: () => [valueOf('bind/theta', 0)] },
  { name: 'bind/iota', notValues: () => [BINARY.toString('base64'), BINARY.toString('latin1')] },
];

for (const tampered of TAMPERED) {
  test(`a tampered ${tampered.name} fails with DecryptionFailure`, async () => {
    const res = await rawClientFor(server).call('GetSecretValue', { SecretId: tampered.name });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.json.__type, 'DecryptionFailure', res.text);
    assert.match(res.json.Message, /^Secrets Manager can't decrypt the protected secret text using the provided KMS key\./);
    for (const other of tampered.notValues()) assert.ok(!res.text.includes(other), 'no value in the error');

    const sdkError = await client.send(new GetSecretValueCommand({ SecretId: tampered.name })).then(
      () => assert.fail('the SDK read a tampered secret'),
      (error: Error & { $metadata: { httpStatusCode?: number } }) => error,
    );
    assert.equal(sdkError.name, 'DecryptionFailure');
    assert.equal(sdkError.$metadata.httpStatusCode, 400);
  });
}

test('the untampered version of a tampered secret still reads', async () => {
  const old = await client.send(new GetSecretValueCommand({ SecretId: 'bind/alpha', VersionId: v('bind/alpha', 0) }));
  assert.equal(old.SecretString, valueOf('bind/alpha', 0));
  // The source rows of the copies are intact.
  assert.equal((await client.send(new GetSecretValueCommand({ SecretId: 'bind/beta' }))).SecretString, valueOf('bind/beta', 0));
  assert.equal((await client.send(new GetSecretValueCommand({ SecretId: 'bind/zeta' }))).SecretString, valueOf('bind/zeta', 0));
});

test('untouched secrets read correctly', async () => {
  const current = await client.send(new GetSecretValueCommand({ SecretId: 'bind/untouched' }));
  assert.equal(current.SecretString, valueOf('bind/untouched', 1));
  const previous = await client.send(new GetSecretValueCommand({ SecretId: 'bind/untouched', VersionStage: 'AWSPREVIOUS' }));
  assert.equal(previous.SecretString, valueOf('bind/untouched', 0));
});

test('BatchGetSecretValue reports tampered secrets as errors and returns the rest', async () => {
  const batch = await client.send(new BatchGetSecretValueCommand({ SecretIdList: ['bind/gamma', 'bind/untouched', 'bind/eta', 'bind/beta'] }));
  assert.deepEqual(batch.SecretValues?.map((s) => [s.Name, s.SecretString]).sort(), [
    ['bind/beta', valueOf('bind/beta', 0)],
    ['bind/untouched', valueOf('bind/untouched', 1)],
  ]);
  assert.deepEqual(batch.Errors?.map((e) => [e.SecretId, e.ErrorCode]).sort(), [
    ['bind/eta', 'DecryptionFailure'],
    ['bind/gamma', 'DecryptionFailure'],
  ]);
});

test('metadata of a tampered secret is still available, and a new value repairs it', async () => {
  const described = await client.send(new DescribeSecretCommand({ SecretId: 'bind/gamma' }));
  assert.deepEqual(described.VersionIdsToStages, { [v('bind/gamma', 0)]: ['AWSCURRENT'] });
  const fresh = value('gamma-repaired');
  await client.send(new PutSecretValueCommand({ SecretId: 'bind/gamma', SecretString: fresh }));
  assert.equal((await client.send(new GetSecretValueCommand({ SecretId: 'bind/gamma' }))).SecretString, fresh);
});

test('a tampered version cannot be confirmed by an idempotent retry', async () => {
  // PutSecretValue with the token of a tampered version decrypts it to compare values:
  // that fails closed with DecryptionFailure, not a silent success or a 500.
  const res = await rawClientFor(server).call('PutSecretValue', {
    SecretId: 'bind/eta',
    ClientRequestToken: SHARED_TOKEN,
    SecretString: valueOf('bind/zeta', 0),
  });
  assert.equal(res.status, 400, res.text);
  assert.equal(res.json.__type, 'DecryptionFailure', res.text);
});
