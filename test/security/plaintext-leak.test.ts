/**
 * "No secret value, data key or root key is ever written anywhere in
 * plaintext": secrets with unique random markers are written, read and used to
 * provoke errors; then the raw bytes of the data directory, the log, the
 * server's stderr and every error body are searched for them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { clientConfig, startServer, tempDir, type TestServer } from '../support/coffer-server.js';
import { rawClientFor, type RawClient, type RawResponse } from '../support/raw-client.js';
import { open } from '../../src/keys/aes-gcm.js';
import { canonicalContext, decodeBlob } from '../../src/keys/ciphertext-blob.js';

let server: TestServer;
let client: SecretsManagerClient;
let raw: RawClient;
let stopped = false;

const marker = (label: string) => `coffer-leak-${label}-${randomUUID()}`;

/** Plaintexts that were stored (and must be readable through the API only). */
const STORED = {
  plain: marker('plain'),
  jsonPassword: marker('password'),
  updated: marker('updated'),
  put: marker('put'),
  pending: marker('pending'),
  unicode: `秘密-${marker('unicode')}-ключ`,
  deleted: marker('deleted'),
  forceDeleted: marker('force-deleted'),
  // Sealed again for its replica in another region: neither copy may show.
  replicated: marker('replicated'),
};
const BINARY = Buffer.concat([Buffer.from([0x00, 0xff, 0x10]), randomBytes(61)]);
const JSON_SECRET = JSON.stringify({ username: 'app', password: STORED.jsonPassword, host: 'db.internal' });
/** Values sent only in requests that must fail. */
const REFUSED = {
  tooLarge: marker('too-large'),
  both: marker('both'),
  tokenReuse: marker('token-reuse'),
  createReuse: marker('create-reuse'),
  afterDeletion: marker('after-deletion'),
  missing: marker('missing-secret'),
  badJson: marker('bad-json'),
  wrongType: marker('wrong-type'),
  badSignature: marker('bad-signature'),
  noToken: marker('no-token'),
};

const errorBodies: RawResponse[] = [];
const tokens = { plain: randomUUID() };
let snapshotDir: string;

async function expectError(res: Promise<RawResponse>, code: string): Promise<RawResponse> {
  const r = await res;
  errorBodies.push(r);
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json?.__type, code, r.text);
  return r;
}

before(async () => {
  server = await startServer({ args: ['--log-level', 'trace'] });
  client = new SecretsManagerClient(clientConfig(server));
  raw = rawClientFor(server);
});

after(async () => {
  client?.destroy();
  if (server && !stopped) await server.stop();
  if (server) rmSync(dirname(server.dataDir), { recursive: true, force: true });
  if (snapshotDir) rmSync(snapshotDir, { recursive: true, force: true });
});

test('secrets are written and read back', async () => {
  await client.send(new CreateSecretCommand({ Name: 'leak/plain', SecretString: STORED.plain, ClientRequestToken: tokens.plain }));
  await client.send(new CreateSecretCommand({ Name: 'leak/json', SecretString: JSON_SECRET }));
  await client.send(new CreateSecretCommand({ Name: 'leak/binary', SecretBinary: BINARY }));
  await client.send(new CreateSecretCommand({ Name: 'leak/unicode', SecretString: STORED.unicode }));
  await client.send(new CreateSecretCommand({ Name: 'leak/updated', SecretString: marker('first') }));
  await client.send(new UpdateSecretCommand({ SecretId: 'leak/updated', SecretString: STORED.updated }));
  await client.send(new PutSecretValueCommand({ SecretId: 'leak/plain', SecretString: STORED.put }));
  await client.send(new PutSecretValueCommand({ SecretId: 'leak/plain', SecretString: STORED.pending, VersionStages: ['AWSPENDING'] }));
  await client.send(new CreateSecretCommand({ Name: 'leak/deleted', SecretString: STORED.deleted }));
  await client.send(new DeleteSecretCommand({ SecretId: 'leak/deleted', RecoveryWindowInDays: 7 }));
  await client.send(new CreateSecretCommand({ Name: 'leak/force-deleted', SecretString: STORED.forceDeleted }));
  await client.send(new GetSecretValueCommand({ SecretId: 'leak/force-deleted' }));
  await client.send(new DeleteSecretCommand({ SecretId: 'leak/force-deleted', ForceDeleteWithoutRecovery: true }));
  await client.send(new CreateSecretCommand({ Name: 'leak/replicated', SecretString: STORED.replicated, AddReplicaRegions: [{ Region: 'eu-west-1' }] }));
  const replicaClient = new SecretsManagerClient(clientConfig(server, 'eu-west-1'));
  try {
    assert.equal((await replicaClient.send(new GetSecretValueCommand({ SecretId: 'leak/replicated' }))).SecretString, STORED.replicated);
  } finally {
    replicaClient.destroy();
  }

  assert.equal((await client.send(new GetSecretValueCommand({ SecretId: 'leak/plain', VersionId: tokens.plain }))).SecretString, STORED.plain);
  assert.equal((await client.send(new GetSecretValueCommand({ SecretId: 'leak/plain' }))).SecretString, STORED.put);
  assert.equal((await client.send(new GetSecretValueCommand({ SecretId: 'leak/plain', VersionStage: 'AWSPENDING' }))).SecretString, STORED.pending);
  assert.equal((await client.send(new GetSecretValueCommand({ SecretId: 'leak/json' }))).SecretString, JSON_SECRET);
  assert.deepEqual(Buffer.from((await client.send(new GetSecretValueCommand({ SecretId: 'leak/binary' }))).SecretBinary!), BINARY);
  assert.equal((await client.send(new GetSecretValueCommand({ SecretId: 'leak/unicode' }))).SecretString, STORED.unicode);
  assert.equal((await client.send(new GetSecretValueCommand({ SecretId: 'leak/updated' }))).SecretString, STORED.updated);
  const batch = await client.send(new BatchGetSecretValueCommand({ SecretIdList: ['leak/json', 'leak/binary', 'leak/deleted', 'leak/nope'] }));
  assert.equal(batch.SecretValues?.length, 2);
  assert.equal(batch.Errors?.length, 2);
});

test('errors that echo their input never echo a value', async () => {
  // Same token, other value: the message names the token and the ARN.
  const reuse = await expectError(
    raw.call('PutSecretValue', { SecretId: 'leak/plain', ClientRequestToken: tokens.plain, SecretString: REFUSED.tokenReuse }),
    'ResourceExistsException',
  );
  assert.ok(reuse.json.Message.includes(tokens.plain), 'the token is echoed, as AWS does');
  await expectError(
    raw.call('CreateSecret', { Name: 'leak/plain', ClientRequestToken: tokens.plain, SecretString: REFUSED.createReuse }),
    'ResourceExistsException',
  );
  await expectError(
    raw.call('CreateSecret', { Name: 'leak/plain', ClientRequestToken: randomUUID(), SecretString: REFUSED.createReuse }),
    'ResourceExistsException',
  );
  await expectError(
    raw.call('PutSecretValue', { SecretId: 'leak/json', ClientRequestToken: randomUUID(), SecretString: REFUSED.tooLarge + 'x'.repeat(65536) }),
    'ValidationException',
  );
  await expectError(
    raw.call('CreateSecret', { Name: 'leak/too-large', ClientRequestToken: randomUUID(), SecretBinary: Buffer.concat([Buffer.from(REFUSED.tooLarge), randomBytes(65536)]).toString('base64') }),
    'ValidationException',
  );
  await expectError(
    raw.call('PutSecretValue', { SecretId: 'leak/json', ClientRequestToken: randomUUID(), SecretString: REFUSED.both, SecretBinary: Buffer.from(REFUSED.both).toString('base64') }),
    'InvalidParameterException',
  );
  await expectError(
    raw.call('PutSecretValue', { SecretId: 'leak/deleted', ClientRequestToken: randomUUID(), SecretString: REFUSED.afterDeletion }),
    'InvalidRequestException',
  );
  await expectError(
    raw.call('GetSecretValue', { SecretId: 'leak/deleted' }),
    'InvalidRequestException',
  );
  await expectError(
    raw.call('PutSecretValue', { SecretId: 'leak/missing', ClientRequestToken: randomUUID(), SecretString: REFUSED.missing }),
    'ResourceNotFoundException',
  );
  await expectError(
    raw.call('PutSecretValue', { SecretId: 'leak/json', SecretString: REFUSED.noToken }),
    'InvalidRequestException',
  );
  await expectError(
    raw.call('PutSecretValue', `{"SecretId": "leak/json", "SecretString": "${REFUSED.badJson}", }`),
    'SerializationException',
  );
  await expectError(
    raw.call('PutSecretValue', { SecretId: 'leak/json', ClientRequestToken: randomUUID(), SecretString: { password: REFUSED.wrongType } }),
    'SerializationException',
  );
  await expectError(
    raw.call('PutSecretValue', { SecretId: 'leak/json', ClientRequestToken: randomUUID(), SecretBinary: `${REFUSED.wrongType}!` }),
    'SerializationException',
  );
  await expectError(
    raw.call('PutSecretValue', { SecretId: 'leak/json', ClientRequestToken: randomUUID(), SecretString: REFUSED.badSignature }, {
      sign: { credentials: { accessKeyId: server.accessKeyId, secretAccessKey: 'wrong' } },
    }),
    'InvalidSignatureException',
  );
  await expectError(raw.call('GetSecretValue', { SecretId: 'leak/plain', VersionStage: 'AWSPENDING', VersionId: tokens.plain }), 'InvalidRequestException');
  await expectError(raw.call('GetSecretValue', { SecretId: 'leak/plain', VersionId: randomUUID() }), 'ResourceNotFoundException');
});

test('a snapshot of the data directory while the server runs (WAL included)', () => {
  snapshotDir = tempDir('coffer-leak-snapshot-');
  for (const name of readdirSync(server.dataDir)) {
    const path = join(server.dataDir, name);
    if (statSync(path).isFile()) copyFileSync(path, join(snapshotDir, name));
  }
  assert.ok(existsSync(join(snapshotDir, 'coffer.db')));
  assert.ok(existsSync(join(snapshotDir, 'coffer.db-wal')), 'a running server has a WAL file');
});

test('the server stops cleanly', async () => {
  assert.equal(await server.stop(), 0);
  stopped = true;
});

/** Every needle in every haystack, by name, as a list of findings. */
function findings(haystacks: Map<string, Buffer>, needles: Map<string, Buffer>): string[] {
  const found: string[] = [];
  for (const [where, bytes] of haystacks) {
    for (const [what, needle] of needles) {
      if (needle.length > 0 && bytes.includes(needle)) found.push(`${what} in ${where}`);
    }
  }
  return found;
}

function filesIn(dir: string, label: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isFile()) out.set(`${label}/${name}`, readFileSync(path));
  }
  return out;
}

function valueNeedles(): Map<string, Buffer> {
  const needles = new Map<string, Buffer>();
  for (const [name, value] of Object.entries({ ...STORED, ...REFUSED })) needles.set(name, Buffer.from(value, 'utf8'));
  needles.set('json secret', Buffer.from(JSON_SECRET));
  needles.set('binary (raw)', BINARY);
  needles.set('binary (base64)', Buffer.from(BINARY.toString('base64')));
  needles.set('binary (hex)', Buffer.from(BINARY.toString('hex')));
  // A part of the binary value that is not at its start, in case of framing.
  needles.set('binary (middle 24 bytes)', BINARY.subarray(20, 44));
  return needles;
}

function rootKeyBytes(): { text: string; raw: Buffer } {
  const text = readFileSync(join(server.dataDir, 'root-key'), 'utf8').trim();
  const raw = Buffer.from(text, 'base64');
  assert.equal(raw.length, 32, 'the root key file holds base64 of 32 bytes');
  return { text, raw };
}

function databaseFiles(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const [where, bytes] of [...filesIn(server.dataDir, 'data'), ...filesIn(snapshotDir, 'snapshot')]) {
    if (/^(coffer|audit)\.db(-wal|-shm|-journal)?$/.test(basename(where))) files.set(where, bytes);
  }
  assert.ok([...files.keys()].some((k) => k.endsWith('/coffer.db')));
  assert.ok([...files.keys()].some((k) => k.endsWith('/audit.db')));
  return files;
}

function logs(): Map<string, Buffer> {
  const log = readFileSync(server.logFile);
  assert.ok(log.includes('"requestId"'), 'the log file has request lines (so searching it means something)');
  return new Map([
    ['log file', log],
    ['server stderr', Buffer.from(server.stderr())],
  ]);
}

test('no value appears in the data directory, the log, stderr or an error body', () => {
  const haystacks = new Map<string, Buffer>([
    ...filesIn(server.dataDir, 'data'),
    ...filesIn(snapshotDir, 'snapshot'),
    ...logs(),
    ...errorBodies.map((r, i): [string, Buffer] => [`error body ${i} (${r.json?.__type})`, r.body]),
  ]);
  assert.ok(errorBodies.length >= 15);
  assert.deepEqual(findings(haystacks, valueNeedles()), []);
  // Control: plaintext metadata (names are not secret) is found by the same search.
  const control = findings(haystacks, new Map([['name', Buffer.from('leak/unicode')]]));
  assert.ok(control.some((f) => f.includes('coffer.db')), `the search sees plaintext in the database: ${control}`);
});

test('the secret access key is not in the database or the log', () => {
  const haystacks = new Map([...databaseFiles(), ...logs(), ...errorBodies.map((r, i): [string, Buffer] => [`error body ${i}`, r.body])]);
  const needles = new Map([['secret access key', Buffer.from(server.secretAccessKey)]]);
  assert.deepEqual(findings(haystacks, needles), []);
  // Control: the needle is real (it is in the credentials file, where it belongs).
  assert.ok(readFileSync(join(server.dataDir, 'credentials')).includes(needles.get('secret access key')!));
});

test('the root key is not in the database, the log or the credentials file', () => {
  const key = rootKeyBytes();
  const haystacks = new Map([
    ...databaseFiles(),
    ...logs(),
    ['credentials', readFileSync(join(server.dataDir, 'credentials'))],
  ]);
  const needles = new Map([
    ['root key (base64)', Buffer.from(key.text)],
    ['root key (raw)', key.raw],
    ['root key (hex)', Buffer.from(key.raw.toString('hex'))],
    ['root key (first 16 bytes)', key.raw.subarray(0, 16)],
  ]);
  assert.deepEqual(findings(haystacks, needles), []);
});

interface VersionRow {
  arn: string;
  version_id: string;
  value_type: 'string' | 'binary' | null;
  ciphertext: Buffer | null;
  wrapped_data_key: Buffer | null;
}

test('without the root key the database alone reveals no secret', () => {
  const db = new Database(join(server.dataDir, 'coffer.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(`SELECT s.arn, v.version_id, v.value_type, v.ciphertext, v.wrapped_data_key
                FROM secret_versions v JOIN secrets s ON s.id = v.secret_id`)
      .all() as VersionRow[];
    assert.ok(rows.length >= 8, `versions stored: ${rows.length}`);
    const plaintexts = [...valueNeedles().values()];
    for (const row of rows) {
      assert.ok(Buffer.isBuffer(row.ciphertext) && Buffer.isBuffer(row.wrapped_data_key), `version ${row.version_id} has ciphertext and a wrapped key`);
      for (const p of plaintexts) {
        assert.ok(!row.ciphertext.includes(p) && !row.wrapped_data_key.includes(p), `plaintext in the row of ${row.version_id}`);
      }
    }
    // Every column of every table, as SQLite sees it, is free of the values too.
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    for (const table of tables) {
      for (const record of db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]) {
        for (const [column, value] of Object.entries(record)) {
          if (value === null || typeof value === 'number' || typeof value === 'bigint') continue;
          const bytes = Buffer.isBuffer(value) ? value : Buffer.from(String(value));
          for (const [what, p] of valueNeedles()) assert.ok(!bytes.includes(p), `${what} in ${table}.${column}`);
        }
      }
    }

    // An attacker with only the database tries every 32-byte window of every stored
    // blob (wrapped key material, the root-key check, access keys) as the key that
    // opens a data key: none does, because all of them are themselves sealed.
    const blobs: Buffer[] = [];
    for (const table of tables) {
      for (const record of db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]) {
        for (const value of Object.values(record)) {
          if (Buffer.isBuffer(value)) blobs.push(value);
          else if (typeof value === 'string' && /^[A-Za-z0-9+/]{40,}={0,2}$/.test(value)) blobs.push(Buffer.from(value, 'base64'));
        }
      }
    }
    const candidates = new Map<string, Buffer>();
    for (const blob of blobs) {
      for (let i = 0; i + 32 <= blob.length; i++) candidates.set(blob.toString('hex', i, i + 32), blob.subarray(i, i + 32));
    }
    assert.ok(candidates.size > 50);
    const target = rows.find((r) => r.value_type === 'string')!;
    const decoded = decodeBlob(target.wrapped_data_key!);
    assert.ok(decoded, 'the wrapped data key is a KMS-style blob');
    const aad = Buffer.concat([decoded.headerBytes, canonicalContext({ SecretARN: target.arn, SecretVersionId: target.version_id })]);
    let opened = 0;
    for (const key of candidates.values()) {
      try {
        open(key, decoded.sealed, aad);
        opened++;
      } catch {
        // expected: the wrong key
      }
    }
    assert.equal(opened, 0, 'a key taken from the database opened a data key');
  } finally {
    db.close();
  }
});
