/**
 * Crash safety: a burst of concurrent writes from several SDK clients, the
 * server SIGKILLed in the middle of it, a restart on the same data directory.
 * Every write that was acknowledged must be there with its exact value, and
 * every secret must still have exactly one AWSCURRENT version.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { clientConfig, startServer, type TestServer } from '../support/coffer-server.js';

const SECRETS = 20;
const CLIENTS = 8;
const KILL_AFTER_ACKS = 300;

interface Write {
  secret: string;
  versionId: string;
  string?: string;
  binary?: Buffer;
  via: 'PutSecretValue' | 'UpdateSecret';
  sentAt: number;
  ackedAt?: number;
}

let server: TestServer;
let dataDir: string;
const names = Array.from({ length: SECRETS }, (_, i) => `crash/s${String(i).padStart(2, '0')}`);
const initial = new Map<string, string>();
/** Every write sent: acknowledged ones have ackedAt; the rest have an unknown outcome. */
const writes: Write[] = [];
const preKillErrors: unknown[] = [];
let inFlightAtKill = 0;

before(async () => {
  server = await startServer();
  dataDir = server.dataDir;
});

after(async () => {
  if (server) await server.stop();
  rmSync(dirname(dataDir), { recursive: true, force: true });
});

test(`create ${SECRETS} secrets`, async () => {
  const client = new SecretsManagerClient(clientConfig(server));
  try {
    for (const name of names) {
      const token = randomUUID();
      await client.send(new CreateSecretCommand({ Name: name, SecretString: `initial-${name}`, ClientRequestToken: token }));
      initial.set(name, token);
    }
  } finally {
    client.destroy();
  }
});

test(`a burst of writes from ${CLIENTS} clients, SIGKILL after ${KILL_AFTER_ACKS} acknowledgements`, async (t) => {
  const clients = Array.from({ length: CLIENTS }, () => new SecretsManagerClient(clientConfig(server)));
  let acked = 0;
  let inFlight = 0;
  let killed = false;

  const worker = async (client: SecretsManagerClient, w: number) => {
    for (let i = 0; !killed; i++) {
      const secret = names[(w * 7 + i * 3) % SECRETS]!;
      const versionId = randomUUID();
      const binary = i % 5 === 4;
      const write: Write = {
        secret,
        versionId,
        via: i % 4 === 3 ? 'UpdateSecret' : 'PutSecretValue',
        sentAt: performance.now(),
        ...(binary ? { binary: randomBytes(1 + (i % 200)) } : { string: `w${w}-${i}-${randomUUID()}-${'€'.repeat(i % 50)}` }),
      };
      writes.push(write);
      const value = binary ? { SecretBinary: write.binary } : { SecretString: write.string };
      inFlight++;
      try {
        const out =
          write.via === 'UpdateSecret'
            ? await client.send(new UpdateSecretCommand({ SecretId: secret, ClientRequestToken: versionId, ...value }))
            : await client.send(new PutSecretValueCommand({ SecretId: secret, ClientRequestToken: versionId, ...value }));
        write.ackedAt = performance.now();
        assert.equal(out.VersionId, versionId);
        if (++acked === KILL_AFTER_ACKS && !killed) {
          killed = true;
          inFlightAtKill = inFlight - 1;
          // Synchronously, so the other workers' requests are cut off mid-flight.
          server.process.kill('SIGKILL');
        }
      } catch (error) {
        if (!killed) preKillErrors.push(error);
        return;
      } finally {
        inFlight--;
      }
    }
  };

  try {
    await Promise.all(clients.map((c, w) => worker(c, w)));
  } finally {
    for (const c of clients) c.destroy();
  }
  await server.kill();
  assert.deepEqual(preKillErrors, [], 'no write failed before the kill');
  assert.ok(acked >= KILL_AFTER_ACKS);
  assert.ok(inFlightAtKill > 0, 'requests were in flight when the server was killed');
  t.diagnostic(`${writes.length} writes sent, ${acked} acknowledged, ${inFlightAtKill} in flight at the kill`);
});

let client: SecretsManagerClient;

test('the server restarts cleanly on the same data directory', async () => {
  server = await startServer({ dataDir });
  client = new SecretsManagerClient(clientConfig(server));
  assert.doesNotMatch(server.stderr(), /error|corrupt|malformed/i);
  const health = await fetch(`${server.url}/health`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok' });
  const listed = await client.send(new ListSecretsCommand({ MaxResults: 100 }));
  assert.deepEqual(listed.SecretList?.map((s) => s.Name).sort(), names);
});

test('every acknowledged write is readable by its VersionId with its exact value', async () => {
  const acked = writes.filter((w) => w.ackedAt !== undefined);
  assert.ok(acked.length >= KILL_AFTER_ACKS);
  for (const write of acked) {
    const got = await client.send(new GetSecretValueCommand({ SecretId: write.secret, VersionId: write.versionId }));
    assert.equal(got.VersionId, write.versionId);
    if (write.binary) {
      assert.equal(got.SecretString, undefined);
      assert.deepEqual(Buffer.from(got.SecretBinary!), write.binary, `binary value of ${write.versionId}`);
    } else {
      assert.equal(got.SecretBinary, undefined);
      assert.equal(got.SecretString, write.string, `string value of ${write.versionId}`);
    }
  }
});

test('every secret has exactly one AWSCURRENT version, and it is a write that was sent', async () => {
  const sent = new Map(writes.map((w) => [w.versionId, w]));
  for (const name of names) {
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
    const stages = Object.entries(described.VersionIdsToStages ?? {});
    const current = stages.filter(([, labels]) => labels.includes('AWSCURRENT'));
    assert.equal(current.length, 1, `${name}: ${JSON.stringify(described.VersionIdsToStages)}`);
    assert.ok(stages.filter(([, labels]) => labels.includes('AWSPREVIOUS')).length <= 1, `${name}: one AWSPREVIOUS at most`);
    const [currentId] = current[0]!;
    for (const [versionId] of stages) {
      assert.ok(sent.get(versionId)?.secret === name || initial.get(name) === versionId, `${name}: version ${versionId} was never written to it`);
    }

    // The current value is whole: it reads, and equals what was sent with that id.
    const value = await client.send(new GetSecretValueCommand({ SecretId: name }));
    assert.equal(value.VersionId, currentId);
    const write = sent.get(currentId);
    if (write) {
      if (write.binary) assert.deepEqual(Buffer.from(value.SecretBinary!), write.binary);
      else assert.equal(value.SecretString, write.string);
      // A write acknowledged before another write to the same secret was even sent
      // cannot be the current one: the later write committed after it.
      if (write.ackedAt !== undefined) {
        const later = writes.find((w) => w.secret === name && w.ackedAt !== undefined && w.sentAt > write.ackedAt!);
        assert.equal(later, undefined, `${name}: ${currentId} is AWSCURRENT although ${later?.versionId} was acknowledged after it`);
      }
    } else {
      assert.equal(currentId, initial.get(name));
      assert.ok(!writes.some((w) => w.secret === name && w.ackedAt !== undefined), `${name}: acknowledged writes were lost`);
    }
  }
});

test('the database passes SQLite integrity and foreign-key checks', async () => {
  client.destroy();
  assert.equal(await server.stop(), 0);
  const db = new Database(join(dataDir, 'coffer.db'), { readonly: true, fileMustExist: true });
  try {
    assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
    assert.deepEqual(db.pragma('foreign_key_check'), []);
    // No torn version: each stored version has a value, its type and its wrapped key.
    const torn = db
      .prepare('SELECT count(*) AS n FROM secret_versions WHERE ciphertext IS NULL OR wrapped_data_key IS NULL OR value_type IS NULL')
      .get() as { n: number };
    assert.equal(torn.n, 0);
  } finally {
    db.close();
  }
});
