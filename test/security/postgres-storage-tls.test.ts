// The connection to a PostgreSQL store, attacked: a database server showing a certificate from
// another authority (a man in the middle) or for another host name, and a server that does not
// speak TLS at all (a downgrade), are each refused at start; the database password given in the
// URL is in no log line and no message.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig, startServer, tempDir, type TestServer } from '../support/coffer-server.js';
import { privateTlsPostgres, usable, type PrivateTlsPostgres } from '../support/private-postgres.js';
import { throwawayDatabase } from '../support/postgres-database.js';

const PASSWORD = 'pg-password-never-logged-7f3a';
let cluster: PrivateTlsPostgres | string | undefined;
const started: TestServer[] = [];

before(async () => {
  cluster = await privateTlsPostgres();
});
after(async () => {
  for (const server of started) {
    await server.stop();
    rmSync(dirname(server.dataDir), { recursive: true, force: true });
  }
  if (typeof cluster === 'object') cluster.stop();
});

/** Starts a server on `url`; its error message (what the operator reads) when it refuses to start. */
async function start(url: string, extra: string[] = []): Promise<TestServer | string> {
  const dataDir = join(tempDir(), 'data');
  try {
    const server = await startServer({ dataDir, args: ['--storage', url, ...extra] });
    started.push(server);
    return server;
  } catch (error) {
    rmSync(dirname(dataDir), { recursive: true, force: true });
    return (error as Error).message;
  }
}

const tlsUrl = (host: string, mode: string, schema: string) => `postgres://postgres:${PASSWORD}@${host}:${(cluster as PrivateTlsPostgres).port}/postgres?sslmode=${mode}&schema=${schema}`;

test('verify-full with the right CA: the server runs, and every connection it holds is encrypted', async (t) => {
  if (!usable(t, cluster)) return;
  const server = await start(tlsUrl('localhost', 'verify-full', 'verified'), ['--storage-ca', cluster.caFile]);
  assert.ok(typeof server !== 'string', String(server));
  const sm = new SecretsManagerClient(clientConfig(server));
  try {
    await sm.send(new CreateSecretCommand({ Name: 'over-tls', SecretString: 'encrypted in transit' }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'over-tls' }))).SecretString, 'encrypted in transit');
  } finally {
    sm.destroy();
  }
  const admin = new pg.Client({ host: 'localhost', port: cluster.port, user: 'postgres', database: 'postgres', ssl: { ca: readFileSync(cluster.caFile) } });
  await admin.connect();
  try {
    const { rows } = await admin.query(`SELECT s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s ON s.pid = a.pid WHERE a.application_name = 'coffer'`);
    assert.ok(rows.length >= 2, 'the pool and the lock holder are connected');
    assert.ok(rows.every((r) => r.ssl === true));
  } finally {
    await admin.end();
  }
});

test('a database server whose certificate another CA signed is refused (man in the middle)', async (t) => {
  if (!usable(t, cluster)) return;
  const refused = await start(tlsUrl('localhost', 'verify-full', 'mitm'), ['--storage-ca', cluster.otherCaFile]);
  assert.equal(typeof refused, 'string', 'the server started');
  assert.match(refused as string, /PostgreSQL storage postgres:\/\/postgres:\*\*\*\*@localhost:\d+\/postgres.*certificate/);
  assert.ok(!(refused as string).includes(PASSWORD));
  // sslmode=require checks no certificate, as libpq's does, unless a CA is given: then it checks the chain.
  assert.equal(typeof (await start(tlsUrl('localhost', 'require', 'mitm'), ['--storage-ca', cluster.otherCaFile])), 'string');
});

test('verify-full refuses a certificate for another host name; verify-ca checks the chain alone', async (t) => {
  if (!usable(t, cluster)) return;
  // The certificate names localhost, not 127.0.0.1.
  const refused = await start(tlsUrl('127.0.0.1', 'verify-full', 'hostname'), ['--storage-ca', cluster.caFile]);
  assert.equal(typeof refused, 'string', 'the server started');
  assert.match(refused as string, /IP: 127\.0\.0\.1 is not in the cert's list|does not match/);
  const server = await start(tlsUrl('127.0.0.1', 'verify-ca', 'hostname'), ['--storage-ca', cluster.caFile]);
  assert.ok(typeof server !== 'string', String(server));
});

test('sslmode=require against a server without TLS is refused, never sent in clear', async (t) => {
  const database = await throwawayDatabase('the machine PostgreSQL (no TLS)');
  if (!database) return t.skip('no PostgreSQL');
  try {
    const refused = await start(`${database.url()}?sslmode=require`);
    assert.equal(typeof refused, 'string', 'the server started');
    assert.match(refused as string, /does not support SSL/);
  } finally {
    await database.drop();
  }
});

test("the database password is in no log line and no message, while the database's address is", async (t) => {
  const database = await throwawayDatabase('the machine PostgreSQL');
  if (!database) return t.skip('no PostgreSQL');
  try {
    const url = database.url('logged').replace('postgres@', `postgres:${PASSWORD}@`);
    const server = await start(url, ['--log-level', 'trace']);
    assert.ok(typeof server !== 'string', String(server));
    const sm = new SecretsManagerClient(clientConfig(server));
    await sm.send(new CreateSecretCommand({ Name: 'logged', SecretString: 'x' }));
    sm.destroy();
    const logged = readFileSync(server.logFile, 'utf8') + server.stderr();
    assert.match(logged, /postgres:\/\/postgres:\*\*\*\*@127\.0\.0\.1:5432\//);
    assert.ok(!logged.includes(PASSWORD));
    await server.stop();
    started.splice(started.indexOf(server), 1);
    rmSync(dirname(server.dataDir), { recursive: true, force: true });
  } finally {
    await database.drop();
  }
});
