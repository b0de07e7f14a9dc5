// The PostgreSQL rotators against the local server at 127.0.0.1:5432. That server trusts
// every local connection, so a login proves nothing about a password; what proves a change is
// the SCRAM verifier the server stores (pg_authid.rolpassword): it is recomputed here from
// its salt and iteration count, and matches the password SCRAM authentication would accept.
import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import pg from 'pg';
import { builtInRotator } from '../../../src/rotation/rotators/index.js';
import { assertFailsClearly, assertGenerated, harness, requireServer, runSteps, uniqueSuffix, versionWith } from './rotation-harness.js';

const HOST = '127.0.0.1';
const PORT = 5432;
const SUPERUSER = 'postgres';

let admin: Promise<pg.Client> | undefined;
function superuser(): Promise<pg.Client> {
  admin ??= (async () => {
    const client = new pg.Client({ host: HOST, port: PORT, user: SUPERUSER, database: 'postgres', connectionTimeoutMillis: 5000 });
    await client.connect();
    return client;
  })();
  return admin;
}
after(async () => {
  // A server that was never reached has nothing to close.
  await admin?.then((client) => client.end(), () => {});
});

async function sql(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  return (await superuser()).query(text, values);
}

async function available(t: TestContext): Promise<boolean> {
  return requireServer(t, `PostgreSQL at ${HOST}:${PORT}`, () => superuser());
}

/** Drops what a test made once it ends, in the order given (tables before the roles holding grants on them). */
function dropAfter(t: TestContext, tables: string[], roles: string[]): void {
  t.after(async () => {
    for (const table of tables) await sql(`DROP TABLE IF EXISTS ${table}`);
    for (const role of roles) await sql(`DROP ROLE IF EXISTS ${role}`);
  });
}

async function createRole(name: string, password: string, options = ''): Promise<void> {
  await sql(`CREATE ROLE ${name} WITH LOGIN PASSWORD '${password}' ${options}`);
}

async function storedVerifier(role: string): Promise<string> {
  const { rows } = await sql('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [role]);
  assert.equal(rows.length, 1, `role ${role} exists`);
  return rows[0].rolpassword as string;
}

/** Whether `password` is the one the stored verifier was made from (SCRAM-SHA-256, RFC 5802; or md5). */
function verifierMatches(verifier: string, role: string, password: string): boolean {
  const scram = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!scram) return verifier === `md5${createHash('md5').update(password + role).digest('hex')}`;
  const [, iterations, salt, storedKey, serverKey] = scram;
  const salted = pbkdf2Sync(password, Buffer.from(salt!, 'base64'), Number(iterations), 32, 'sha256');
  const hmac = (text: string) => createHmac('sha256', salted).update(text).digest();
  return (
    createHash('sha256').update(hmac('Client Key')).digest('base64') === storedKey && hmac('Server Key').toString('base64') === serverKey
  );
}

async function assertPasswordIs(role: string, password: string, not: string[]): Promise<void> {
  const verifier = await storedVerifier(role);
  assert.ok(verifierMatches(verifier, role, password), `${role} has the expected password`);
  for (const old of not) assert.ok(!verifierMatches(verifier, role, old), `${role} no longer has an old password`);
}

test('postgresql-single-user: the user sets its own new password; AWSCURRENT holds it and AWSPREVIOUS the old one', async (t) => {
  if (!(await available(t))) return;
  const user = `coffer_rot_${uniqueSuffix()}`;
  const oldPassword = `Old-${uniqueSuffix()}`;
  dropAfter(t, [], [user]);
  await createRole(user, oldPassword);
  await assertPasswordIs(user, oldPassword, []);

  const sm = harness(t);
  // No `ssl` key: TLS is tried first and, this server having none, plain is used.
  const arn = await sm.createSecret(`db/${user}`, { engine: 'postgres', host: HOST, port: PORT, username: user, password: oldPassword, dbname: 'postgres', team: 'kept' });
  const { current, previous } = await sm.rotate(arn, builtInRotator('postgresql-single-user', sm.port));
  assert.equal(previous.password, oldPassword);
  assert.equal(current.username, user);
  assert.equal(current.team, 'kept', 'keys the rotator does not use are carried over');
  assertGenerated(current.password);
  await assertPasswordIs(user, current.password, [oldPassword]);
});

test('postgresql-single-user: every step can run again, and after finishSecret a rerun changes nothing', async (t) => {
  if (!(await available(t))) return;
  const user = `coffer_rot_${uniqueSuffix()}`;
  const oldPassword = `Old-${uniqueSuffix()}`;
  dropAfter(t, [], [user]);
  await createRole(user, oldPassword);
  const sm = harness(t);
  const arn = await sm.createSecret(`db/${user}`, { engine: 'postgres', host: HOST, username: user, password: oldPassword, ssl: false });
  const rotation = await sm.startRotation(arn);
  const invoke = builtInRotator('postgresql-single-user', sm.port);

  await runSteps(invoke, rotation, ['createSecret']);
  const pending = await sm.value(arn, 'AWSPENDING', rotation.token);
  await runSteps(invoke, rotation, ['createSecret']);
  assert.deepEqual(await sm.value(arn, 'AWSPENDING', rotation.token), pending, 'a second createSecret keeps the generated password');

  await runSteps(invoke, rotation, ['setSecret', 'setSecret', 'testSecret', 'testSecret', 'finishSecret', 'finishSecret']);
  await assertPasswordIs(user, pending.password as string, [oldPassword]);
  assert.deepEqual(await sm.value(arn, 'AWSCURRENT'), pending);

  // Every ALTER draws a new salt: an unchanged verifier proves no step touched the role again.
  const verifier = await storedVerifier(user);
  const stages = await sm.stages(arn);
  await runSteps(invoke, rotation);
  assert.equal(await storedVerifier(user), verifier);
  assert.deepEqual(await sm.stages(arn), stages);
});

test('postgresql-single-user: a secret that asks for TLS is not sent in the clear to a server without it', async (t) => {
  if (!(await available(t))) return;
  if ((await sql('SHOW ssl')).rows[0].ssl === 'on') return t.skip('this server offers TLS');
  const user = `coffer_rot_${uniqueSuffix()}`;
  const oldPassword = `Old-${uniqueSuffix()}`;
  dropAfter(t, [], [user]);
  await createRole(user, oldPassword);
  const sm = harness(t);
  const arn = await sm.createSecret(`db/${user}`, { engine: 'postgres', host: HOST, username: user, password: oldPassword, ssl: 'TRUE' });
  const currentVersion = versionWith(await sm.stages(arn), 'AWSCURRENT');
  const rotation = await sm.startRotation(arn);
  const invoke = builtInRotator('postgresql-single-user', sm.port);
  await runSteps(invoke, rotation, ['createSecret']);
  const pending = (await sm.value(arn, 'AWSPENDING', rotation.token)).password as string;

  await assertFailsClearly(runSteps(invoke, rotation, ['setSecret']), /Unable to log into the database .*current: The server does not support SSL/, [oldPassword, pending]);
  assert.equal(versionWith(await sm.stages(arn), 'AWSCURRENT'), currentVersion);
  await assertPasswordIs(user, oldPassword, [pending]);
});

test('postgresql-alternating-users: the superuser creates <user>_clone with the user\'s grants, then the names alternate', async (t) => {
  if (!(await available(t))) return;
  const suffix = uniqueSuffix();
  const user = `coffer_rot_${suffix}`;
  const clone = `${user}_clone`;
  const master = `coffer_rot_admin_${suffix}`;
  const table = `coffer_rot_t_${suffix}`;
  const [userPassword, masterPassword] = [`User-${suffix}`, `Admin-${suffix}`];
  dropAfter(t, [table], [clone, user, master]);
  await createRole(master, masterPassword, 'CREATEROLE');
  await createRole(user, userPassword);
  // Granting membership in a role takes ADMIN OPTION on it from PostgreSQL 16 on.
  await sql(`GRANT ${user} TO ${master} WITH ADMIN OPTION`);
  await sql(`CREATE TABLE ${table} (n int)`);
  await sql(`INSERT INTO ${table} VALUES (42)`);
  await sql(`GRANT SELECT ON ${table} TO ${user}`);

  const sm = harness(t);
  const masterArn = await sm.createSecret(`db/${master}`, { engine: 'postgres', host: HOST, port: PORT, username: master, password: masterPassword, dbname: 'postgres', ssl: false });
  const arn = await sm.createSecret(`db/${user}`, {
    engine: 'postgres', host: HOST, port: PORT, username: user, password: userPassword, dbname: 'postgres', masterarn: masterArn, ssl: false,
  });
  const invoke = builtInRotator('postgresql-alternating-users', sm.port);

  await runSteps(invoke, await sm.startRotation(arn));
  const first = await sm.value(arn, 'AWSCURRENT');
  assert.equal(first.username, clone);
  assert.equal(first.masterarn, masterArn);
  assertGenerated(first.password);
  assert.equal((await sm.value(arn, 'AWSPREVIOUS')).username, user);
  await assertPasswordIs(clone, first.password, [userPassword]);
  await assertPasswordIs(user, userPassword, [first.password]);
  // The clone is a member of the user's role, so it reads what the user reads.
  assert.equal((await sql(`SELECT pg_has_role($1, $2, 'MEMBER') AS member`, [clone, user])).rows[0].member, true);
  const asClone = new pg.Client({ host: HOST, port: PORT, user: clone, password: first.password, database: 'postgres' });
  await asClone.connect();
  try {
    assert.deepEqual((await asClone.query(`SELECT n FROM ${table}`)).rows, [{ n: 42 }]);
  } finally {
    await asClone.end();
  }

  await runSteps(invoke, await sm.startRotation(arn));
  const second = await sm.value(arn, 'AWSCURRENT');
  assert.equal(second.username, user);
  assertGenerated(second.password);
  assert.deepEqual(await sm.value(arn, 'AWSPREVIOUS'), first);
  await assertPasswordIs(user, second.password, [userPassword]);
  // The credential clients still hold keeps working until the next rotation.
  await assertPasswordIs(clone, first.password, [second.password]);
});

test('postgresql-alternating-users: a superuser secret that cannot create roles fails setSecret clearly and AWSCURRENT stays', async (t) => {
  if (!(await available(t))) return;
  const suffix = uniqueSuffix();
  const user = `coffer_rot_${suffix}`;
  const weak = `coffer_rot_weak_${suffix}`;
  const [userPassword, weakPassword] = [`User-${suffix}`, `Weak-${suffix}`];
  dropAfter(t, [], [`${user}_clone`, user, weak]);
  await createRole(user, userPassword);
  await createRole(weak, weakPassword);

  const sm = harness(t);
  const weakArn = await sm.createSecret(`db/${weak}`, { engine: 'postgres', host: HOST, username: weak, password: weakPassword, ssl: false });
  const arn = await sm.createSecret(`db/${user}`, { engine: 'postgres', host: HOST, username: user, password: userPassword, masterarn: weakArn, ssl: false });
  const currentVersion = versionWith(await sm.stages(arn), 'AWSCURRENT');
  const rotation = await sm.startRotation(arn);
  const invoke = builtInRotator('postgresql-alternating-users', sm.port);
  await runSteps(invoke, rotation, ['createSecret']);
  const pending = (await sm.value(arn, 'AWSPENDING', rotation.token)).password as string;

  await assertFailsClearly(runSteps(invoke, rotation, ['setSecret']), /permission denied to create role/, [userPassword, weakPassword, pending]);
  assert.equal(versionWith(await sm.stages(arn), 'AWSCURRENT'), currentVersion);
  assert.equal((await sm.value(arn, 'AWSCURRENT')).password, userPassword);
  assert.equal((await sql('SELECT 1 FROM pg_roles WHERE rolname = $1', [`${user}_clone`])).rowCount, 0, 'nothing half-created');

  // A masterarn naming no secret at all is as clear.
  const orphanArn = await sm.createSecret(`db/${user}-orphan`, {
    engine: 'postgres', host: HOST, username: user, password: userPassword, masterarn: `${weakArn}-gone`, ssl: false,
  });
  const orphan = await sm.startRotation(orphanArn);
  await runSteps(invoke, orphan, ['createSecret']);
  const error = await assertFailsClearly(runSteps(invoke, orphan, ['setSecret']), /can't find the specified secret/, [userPassword]);
  assert.equal((error as Error & { code?: string }).code, 'ResourceNotFoundException');
});
