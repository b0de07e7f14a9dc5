import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectionConfig, redactedUrl } from '../../src/storage/postgres/pg-connection.js';
import { ConfigError, DEFAULTS, storageOption, validateConfig, type CofferConfig } from '../../src/config/config.js';

const dir = mkdtempSync(join(tmpdir(), 'coffer-pg-connection-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the URL gives host, port, user, database and schema; a password comes from the URL, else the file', () => {
  const { pool, schema } = connectionConfig({ url: 'postgres://app:p%40ss@db.example.com:6543/coffer?schema=tenant_a' });
  assert.deepEqual(
    { host: pool.host, port: pool.port, user: pool.user, database: pool.database, password: pool.password, ssl: pool.ssl, options: pool.options },
    { host: 'db.example.com', port: 6543, user: 'app', database: 'coffer', password: 'p@ss', ssl: false, options: '-c search_path=tenant_a' },
  );
  assert.equal(schema, 'tenant_a');
  const file = join(dir, 'password');
  writeFileSync(file, 'from-file\n');
  assert.equal(connectionConfig({ url: 'postgres://app@h/db', passwordFile: file }).pool.password, 'from-file');
  assert.equal(connectionConfig({ url: 'postgres://app:in-url@h/db', passwordFile: file }).pool.password, 'in-url');
  // Neither: the driver reads PGPASSWORD.
  assert.equal(connectionConfig({ url: 'postgres://app@h/db' }).pool.password, undefined);
  assert.throws(() => connectionConfig({ url: 'postgres://app@h/db', passwordFile: join(dir, 'missing') }), /--storage-password-file .* cannot be read: ENOENT/);
});

test('sslmode: disable by default, require without verification, verify-ca the chain, verify-full chain and name; a CA alone means verify-full', () => {
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n');
  const ssl = (query: string, caFile?: string) => connectionConfig({ url: `postgres://u@h/db${query}`, caFile }).pool.ssl;
  assert.equal(ssl(''), false);
  assert.equal(ssl('?sslmode=disable'), false);
  assert.deepEqual(ssl('?sslmode=require'), { rejectUnauthorized: false });
  const verifyCa = ssl('?sslmode=verify-ca', ca) as { rejectUnauthorized: boolean; checkServerIdentity: unknown; ca: Buffer };
  assert.equal(verifyCa.rejectUnauthorized, true);
  assert.equal(typeof verifyCa.checkServerIdentity, 'function');
  assert.deepEqual(ssl('?sslmode=verify-full', ca), { ca: Buffer.from('-----BEGIN CERTIFICATE-----\n'), rejectUnauthorized: true });
  assert.deepEqual(ssl('', ca), ssl('?sslmode=verify-full', ca));
  assert.deepEqual(ssl(`?sslmode=verify-full&sslrootcert=${ca}`), ssl('', ca));
  assert.throws(() => ssl('?sslmode=prefer'), /sslmode must be one of disable, require, verify-ca, verify-full, not 'prefer'/);
});

test('mistakes are named without echoing the password', () => {
  assert.throws(() => connectionConfig({ url: 'postgres://u:secret@h/db?sslmod=require' }), /unknown URL parameter 'sslmod'/);
  assert.throws(() => connectionConfig({ url: 'postgres://u@h/db?schema=Bad-Name' }), /schema 'Bad-Name' must be a lower-case SQL name/);
  assert.equal(redactedUrl('postgres://u:secret@h:5432/db'), 'postgres://u:****@h:5432/db');
  assert.throws(() => storageOption('mysql://u:secret@h/db', undefined, undefined), (error: Error) => error instanceof ConfigError && !error.message.includes('secret'));
  assert.throws(() => storageOption('sqlite', 'ca.pem', undefined), /go with --storage postgres/);
  assert.equal(storageOption('sqlite', undefined, undefined), undefined);
  assert.equal(storageOption(undefined, undefined, undefined), undefined);
});

test('PostgreSQL storage takes neither --dev nor --workers', () => {
  const base: CofferConfig = { ...DEFAULTS, partition: 'aws', allowInsecureHttp: false, dev: false, rootKeyProvider: 'file', auditFiles: [], allowRotationAsServerUser: false, storage: { url: 'postgres://u@h/db' } };
  assert.doesNotThrow(() => validateConfig(base));
  assert.throws(() => validateConfig({ ...base, dev: true }), /--dev keeps its data in memory/);
  assert.throws(() => validateConfig({ ...base, workers: 2 }), /--workers/);
});
