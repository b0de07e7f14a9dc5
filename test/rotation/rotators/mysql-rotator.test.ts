// The MySQL rotators against the local MySQL-compatible server (MariaDB) at 127.0.0.1:3306,
// which checks passwords: a change is proven by logging in with the new password and being
// refused with the old one.
import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import { builtInRotator } from '../../../src/rotation/rotators/index.js';
import { grantToClone } from '../../../src/rotation/rotators/mysql-rotator.js';
import { assertFailsClearly, assertGenerated, harness, requireServer, runSteps, uniqueSuffix, versionWith } from './rotation-harness.js';

const HOST = '127.0.0.1';
const PORT = 3306;
const DATABASE = 'test';

let root: Promise<mysql.Connection> | undefined;
function superuser(): Promise<mysql.Connection> {
  root ??= mysql.createConnection({ host: HOST, port: PORT, user: 'root', password: '', database: DATABASE, connectTimeout: 5000 });
  return root;
}
after(async () => {
  // A server that was never reached has nothing to close.
  await root?.then((connection) => connection.end(), () => {});
});

async function sql(text: string, values: unknown[] = []): Promise<unknown[]> {
  const [rows] = await (await superuser()).query(text, values);
  return rows as unknown[];
}

async function available(t: TestContext): Promise<boolean> {
  return requireServer(t, `MySQL at ${HOST}:${PORT}`, () => superuser());
}

/** `'<name>'@'%'` with a password, dropped after the test. */
async function createUser(t: TestContext, name: string, password: string): Promise<void> {
  t.after(() => sql("DROP USER IF EXISTS ?@'%'", [name]));
  await sql("CREATE USER ?@'%' IDENTIFIED BY ?", [name, password]);
}

/** Whether the server lets `user` in with `password`; refused logins must be access-denied errors. */
async function logsIn(user: string, password: string): Promise<boolean> {
  try {
    const connection = await mysql.createConnection({ host: HOST, port: PORT, user, password, connectTimeout: 5000 });
    await connection.query('SELECT 1');
    await connection.end();
    return true;
  } catch (error) {
    assert.equal((error as { errno?: number }).errno, 1045, String(error));
    return false;
  }
}

/** SHOW GRANTS with the account and its password hash cut out: what a clone must share. */
async function privileges(user: string): Promise<string[]> {
  const rows = (await sql("SHOW GRANTS FOR ?@'%'", [user])) as Record<string, string>[];
  return rows.map((row) => Object.values(row)[0]!.replace(/ TO `[^`]+`@`%`( IDENTIFIED BY PASSWORD '[^']*')?/, '')).sort();
}

test('mysql-single-user: the user sets its own new password; the old one is refused from then on', async (t) => {
  if (!(await available(t))) return;
  const user = `crot_${uniqueSuffix()}`;
  const oldPassword = `Old-${uniqueSuffix()}`;
  await createUser(t, user, oldPassword);
  await sql(`GRANT SELECT ON ${DATABASE}.* TO ?@'%'`, [user]);

  const sm = harness(t);
  // No `ssl` key: TLS is tried first and, this server having none, plain is used.
  const arn = await sm.createSecret(`db/${user}`, { engine: 'mariadb', host: HOST, port: PORT, username: user, password: oldPassword, dbname: DATABASE });
  const { current, previous } = await sm.rotate(arn, builtInRotator('mysql-single-user', sm.port));
  assert.equal(previous.password, oldPassword);
  assert.equal(current.username, user);
  assertGenerated(current.password);
  assert.equal(await logsIn(user, current.password), true, 'the new password logs in');
  assert.equal(await logsIn(user, oldPassword), false, 'the old password is refused');
});

test('mysql-single-user: every step can run again, and after finishSecret a rerun changes nothing', async (t) => {
  if (!(await available(t))) return;
  const user = `crot_${uniqueSuffix()}`;
  const oldPassword = `Old-${uniqueSuffix()}`;
  await createUser(t, user, oldPassword);
  const sm = harness(t);
  const arn = await sm.createSecret(`db/${user}`, { engine: 'mysql', host: HOST, port: String(PORT), username: user, password: oldPassword, ssl: false });
  const rotation = await sm.startRotation(arn);
  const invoke = builtInRotator('mysql-single-user', sm.port);

  await runSteps(invoke, rotation, ['createSecret', 'createSecret', 'setSecret', 'setSecret', 'testSecret', 'testSecret', 'finishSecret', 'finishSecret']);
  const current = await sm.value(arn, 'AWSCURRENT');
  assert.equal(versionWith(await sm.stages(arn), 'AWSCURRENT'), rotation.token);
  assert.equal(await logsIn(user, current.password as string), true);
  assert.equal(await logsIn(user, oldPassword), false);

  const stages = await sm.stages(arn);
  await runSteps(invoke, rotation);
  assert.deepEqual(await sm.stages(arn), stages);
  assert.deepEqual(await sm.value(arn, 'AWSCURRENT'), current);
  assert.equal(await logsIn(user, current.password as string), true);
});

test('mysql-single-user: when the current password no longer works, the previous one is tried, as the templates do', async (t) => {
  if (!(await available(t))) return;
  const user = `crot_${uniqueSuffix()}`;
  const [first, second] = [`First-${uniqueSuffix()}`, `Second-${uniqueSuffix()}`];
  await createUser(t, user, first);
  const sm = harness(t);
  const secret = { engine: 'mysql', host: HOST, port: PORT, username: user, ssl: false };
  const arn = await sm.createSecret(`db/${user}`, { ...secret, password: first });
  // AWSCURRENT now names a password the server never got; AWSPREVIOUS the one it has.
  await sm.port.putSecretValue({ SecretId: arn, ClientRequestToken: randomUUID(), SecretString: JSON.stringify({ ...secret, password: second }), VersionStages: ['AWSCURRENT'] });
  await runSteps(builtInRotator('mysql-single-user', sm.port), await sm.startRotation(arn));

  const current = await sm.value(arn, 'AWSCURRENT');
  assert.equal(await logsIn(user, current.password as string), true);
  assert.equal(await logsIn(user, first), false);
});

test('mysql-alternating-users: the superuser creates <user>_clone with the same grants, then the names alternate', async (t) => {
  if (!(await available(t))) return;
  const suffix = uniqueSuffix();
  const user = `crot_${suffix}`;
  const clone = `${user}_clone`;
  const master = `crot_adm_${suffix}`;
  const [userPassword, masterPassword] = [`User-${suffix}`, `Admin-${suffix}`];
  await createUser(t, master, masterPassword);
  await sql("GRANT ALL PRIVILEGES ON *.* TO ?@'%' WITH GRANT OPTION", [master]);
  await createUser(t, user, userPassword);
  t.after(() => sql("DROP USER IF EXISTS ?@'%'", [clone]));
  await sql(`GRANT SELECT, INSERT ON ${DATABASE}.* TO ?@'%'`, [user]);
  await sql(`GRANT SELECT ON mysql.db TO ?@'%' WITH GRANT OPTION`, [user]);

  const sm = harness(t);
  const masterArn = await sm.createSecret(`db/${master}`, { engine: 'mariadb', host: HOST, port: PORT, username: master, password: masterPassword, ssl: false });
  const arn = await sm.createSecret(`db/${user}`, {
    engine: 'mariadb', host: HOST, port: PORT, username: user, password: userPassword, dbname: DATABASE, masterarn: masterArn, ssl: false,
  });
  const invoke = builtInRotator('mysql-alternating-users', sm.port);

  await runSteps(invoke, await sm.startRotation(arn));
  const first = await sm.value(arn, 'AWSCURRENT');
  assert.equal(first.username, clone);
  assertGenerated(first.password);
  assert.equal((await sm.value(arn, 'AWSPREVIOUS')).username, user);
  assert.deepEqual(await privileges(clone), [
    'GRANT SELECT ON `mysql`.`db` WITH GRANT OPTION',
    `GRANT SELECT, INSERT ON \`${DATABASE}\`.*`,
    'GRANT USAGE ON *.*',
  ]);
  assert.deepEqual(await privileges(clone), await privileges(user));
  assert.equal(await logsIn(clone, first.password), true, 'the clone logs in with the new password');
  assert.equal(await logsIn(user, userPassword), true, 'the user clients hold still logs in');

  await runSteps(invoke, await sm.startRotation(arn));
  const second = await sm.value(arn, 'AWSCURRENT');
  assert.equal(second.username, user);
  assertGenerated(second.password);
  assert.deepEqual(await sm.value(arn, 'AWSPREVIOUS'), first);
  assert.equal(await logsIn(user, second.password), true);
  assert.equal(await logsIn(user, userPassword), false, "the user's old password is refused once it is rotated again");
  assert.equal(await logsIn(clone, first.password), true, 'the clone keeps its password until the next rotation');
});

test('mysql-alternating-users: a wrong superuser password fails setSecret clearly and AWSCURRENT stays', async (t) => {
  if (!(await available(t))) return;
  const suffix = uniqueSuffix();
  const user = `crot_${suffix}`;
  const master = `crot_adm_${suffix}`;
  const [userPassword, masterPassword, wrongPassword] = [`User-${suffix}`, `Admin-${suffix}`, `Wrong-${suffix}`];
  await createUser(t, master, masterPassword);
  await sql("GRANT ALL PRIVILEGES ON *.* TO ?@'%' WITH GRANT OPTION", [master]);
  await createUser(t, user, userPassword);
  t.after(() => sql("DROP USER IF EXISTS ?@'%'", [`${user}_clone`]));

  const sm = harness(t);
  const masterArn = await sm.createSecret(`db/${master}`, { engine: 'mysql', host: HOST, username: master, password: wrongPassword, ssl: false });
  const arn = await sm.createSecret(`db/${user}`, { engine: 'mysql', host: HOST, username: user, password: userPassword, masterarn: masterArn, ssl: false });
  const currentVersion = versionWith(await sm.stages(arn), 'AWSCURRENT');
  const rotation = await sm.startRotation(arn);
  const invoke = builtInRotator('mysql-alternating-users', sm.port);
  await runSteps(invoke, rotation, ['createSecret']);
  const pending = (await sm.value(arn, 'AWSPENDING', rotation.token)).password as string;

  await assertFailsClearly(
    runSteps(invoke, rotation, ['setSecret']),
    new RegExp(`credentials in master secret ${masterArn.replace(/[$.]/g, '\\$&')}: Access denied for user`),
    [userPassword, masterPassword, wrongPassword, pending],
  );
  assert.equal(versionWith(await sm.stages(arn), 'AWSCURRENT'), currentVersion);
  assert.equal(await logsIn(user, userPassword), true);
  assert.deepEqual(await sql("SELECT 1 FROM mysql.user WHERE User = ?", [`${user}_clone`]), [], 'no clone was created');
});

test('grantToClone readdresses each SHOW GRANTS row and drops the password hash', () => {
  assert.equal(
    grantToClone("GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*2B60'", 'app', 'app_clone'),
    "GRANT USAGE ON *.* TO 'app_clone'@'%'",
  );
  assert.equal(
    grantToClone('GRANT SELECT, INSERT ON `test`.* TO `app`@`%` WITH GRANT OPTION', 'app', 'app_clone'),
    "GRANT SELECT, INSERT ON `test`.* TO 'app_clone'@'%' WITH GRANT OPTION",
  );
  assert.equal(grantToClone("GRANT SELECT ON `db`.* TO 'app'@'%'", 'app', 'app_clone'), "GRANT SELECT ON `db`.* TO 'app_clone'@'%'");
  assert.equal(grantToClone('SET DEFAULT ROLE `reader` FOR `app`@`%`', 'app', 'app_clone'), "SET DEFAULT ROLE `reader` FOR 'app_clone'@'%'");
  // A database named like a grantee does not fool it: the grantee is matched whole.
  assert.equal(grantToClone('GRANT SELECT ON `to app`.* TO `app`@`%`', 'app', 'app_clone'), "GRANT SELECT ON `to app`.* TO 'app_clone'@'%'");
  assert.throws(() => grantToClone("GRANT USAGE ON *.* TO `other`@`%` IDENTIFIED BY PASSWORD '*2B60'", 'app', 'app_clone'), (error: Error) => {
    assert.match(error.message, /does not name the account 'app'@'%'/);
    assert.ok(!error.message.includes('*2B60'), 'the password hash is not quoted');
    return true;
  });
});
