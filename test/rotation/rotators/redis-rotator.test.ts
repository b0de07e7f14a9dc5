// The Redis rotator against the local server at 127.0.0.1:6379 with ACL users: AUTH checks
// passwords, so a change is proven by logging in with the new password and being refused
// with the old one.
import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { builtInRotator } from '../../../src/rotation/rotators/index.js';
import { assertFailsClearly, assertGenerated, harness, requireServer, runSteps, uniqueSuffix, versionWith } from './rotation-harness.js';

const HOST = '127.0.0.1';
const PORT = 6379;

function newClient(auth: { username?: string; password?: string }) {
  return createClient({ socket: { host: HOST, port: PORT, connectTimeout: 5000, reconnectStrategy: false }, ...auth });
}
type Client = ReturnType<typeof newClient>;

async function connect(auth: { username?: string; password?: string } = {}): Promise<Client> {
  const client = newClient(auth);
  client.on('error', () => {});
  await client.connect();
  return client;
}

let admin: Promise<Client> | undefined;
function defaultUser(): Promise<Client> {
  admin ??= connect();
  return admin;
}
after(async () => {
  // A server that was never reached has nothing to close.
  await admin?.then((client) => client.close(), () => {});
});

async function acl(...args: string[]): Promise<unknown> {
  return (await defaultUser()).sendCommand(['ACL', ...args]);
}

async function available(t: TestContext): Promise<boolean> {
  return requireServer(t, `Redis at ${HOST}:${PORT}`, () => defaultUser());
}

/** An ACL user with a password and `rules`, deleted after the test. */
async function createUser(t: TestContext, name: string, password: string, rules: string[]): Promise<void> {
  t.after(() => acl('DELUSER', name));
  await acl('SETUSER', name, 'on', `>${password}`, ...rules);
}

/** ACL GETUSER: the password hashes apart from the other rules. */
async function aclOf(name: string): Promise<{ passwords: unknown; rules: Record<string, unknown> }> {
  const { passwords, ...rules } = (await acl('GETUSER', name)) as Record<string, unknown>;
  assert.ok(Array.isArray(passwords), 'ACL GETUSER lists the password hashes');
  return { passwords, rules };
}

async function logsIn(username: string, password: string): Promise<boolean> {
  try {
    const client = await connect({ username, password });
    await client.close();
    return true;
  } catch (error) {
    assert.match(String(error), /WRONGPASS/);
    return false;
  }
}

const RULES = ['~crot:*', '+get', '+set', '+ping', '+acl|setuser'];

test('redis-single-user: the user replaces its own password; its other ACL rules stay and the old password is refused', async (t) => {
  if (!(await available(t))) return;
  const user = `crot_${uniqueSuffix()}`;
  const oldPassword = `Old-${uniqueSuffix()}`;
  await createUser(t, user, oldPassword, RULES);
  const before = await aclOf(user);

  const sm = harness(t);
  const arn = await sm.createSecret(`cache/${user}`, { engine: 'redis', host: HOST, port: PORT, username: user, password: oldPassword });
  const { current, previous } = await sm.rotate(arn, builtInRotator('redis-single-user', sm.port));
  assert.equal(previous.password, oldPassword);
  const password = current.password;
  assertGenerated(password);

  assert.equal(await logsIn(user, password), true, 'the new password logs in');
  assert.equal(await logsIn(user, oldPassword), false, 'the old password is refused');
  const afterRotation = await aclOf(user);
  assert.deepEqual(afterRotation.rules, before.rules, 'keys, commands and flags are unchanged');
  assert.notDeepEqual(afterRotation.passwords, before.passwords);
});

test('redis-single-user: every step can run again, and after finishSecret a rerun changes nothing', async (t) => {
  if (!(await available(t))) return;
  const user = `crot_${uniqueSuffix()}`;
  const oldPassword = `Old-${uniqueSuffix()}`;
  await createUser(t, user, oldPassword, RULES);
  const sm = harness(t);
  // A secret made for Redis by hand need not name an engine.
  const arn = await sm.createSecret(`cache/${user}`, { host: HOST, username: user, password: oldPassword });
  const rotation = await sm.startRotation(arn);
  const invoke = builtInRotator('redis-single-user', sm.port);

  await runSteps(invoke, rotation, ['createSecret', 'createSecret', 'setSecret']);
  const set = await aclOf(user);
  await runSteps(invoke, rotation, ['setSecret', 'testSecret', 'testSecret', 'finishSecret', 'finishSecret']);
  assert.deepEqual(await aclOf(user), set, 'a second setSecret finds the password in place and leaves it');
  const current = await sm.value(arn, 'AWSCURRENT');
  assert.equal(await logsIn(user, current.password as string), true);

  const stages = await sm.stages(arn);
  await runSteps(invoke, rotation);
  assert.deepEqual(await sm.stages(arn), stages);
  assert.deepEqual(await aclOf(user), set);
});

test('redis-single-user: a user that may not run ACL SETUSER fails setSecret clearly and keeps its password', async (t) => {
  if (!(await available(t))) return;
  const user = `crot_${uniqueSuffix()}`;
  const oldPassword = `Old-${uniqueSuffix()}`;
  await createUser(t, user, oldPassword, ['~crot:*', '+get', '+ping']);
  const sm = harness(t);
  const arn = await sm.createSecret(`cache/${user}`, { engine: 'redis', host: HOST, username: user, password: oldPassword, ssl: false });
  const currentVersion = versionWith(await sm.stages(arn), 'AWSCURRENT');
  const rotation = await sm.startRotation(arn);
  const invoke = builtInRotator('redis-single-user', sm.port);
  await runSteps(invoke, rotation, ['createSecret']);
  const pending = (await sm.value(arn, 'AWSPENDING', rotation.token)).password as string;

  await assertFailsClearly(runSteps(invoke, rotation, ['setSecret']), /NOPERM/, [oldPassword, pending]);
  assert.equal(versionWith(await sm.stages(arn), 'AWSCURRENT'), currentVersion);
  assert.equal(await logsIn(user, oldPassword), true);
  await assertFailsClearly(runSteps(invoke, rotation, ['testSecret']), /Unable to log into the database with the pending secret.*WRONGPASS/, [oldPassword, pending]);
});
