// The step skeleton and the two schemes over a real in-process Secrets Manager, with an
// in-memory server standing in for the database: staging checks, createSecret, the
// setSecret guards, TLS fallback and what errors may say.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ROTATION_FUNCTION_KINDS, type RotationStep, type SecretsPort } from '../../../src/rotation/rotation-function.js';
import { alternateUsername, alternatingUsers } from '../../../src/rotation/rotators/alternating-users.js';
import { login, type AdminDatabaseEngine, type AdminSession } from '../../../src/rotation/rotators/database-engine.js';
import { parseDatabaseSecret, type EngineFamily } from '../../../src/rotation/rotators/database-secret.js';
import { builtInRotator } from '../../../src/rotation/rotators/index.js';
import { rotationSteps } from '../../../src/rotation/rotators/rotation-steps.js';
import { singleUser } from '../../../src/rotation/rotators/single-user.js';
import { assertFailsClearly, runSteps, SecretsManagerHarness, versionWith, type Rotation } from './rotation-harness.js';

const FAMILY: EngineFamily = { engines: ['fake'], defaultPort: 1, defaultTls: 'prefer' };
const HOST = 'db.example.test';

/** A server that keeps users and passwords in a map, offers TLS or not, and records each login. */
class FakeServer {
  readonly users = new Map<string, string>();
  readonly logins: { user: string; tls: boolean }[] = [];
  offersTls = false;
  /** An error setting a password fails with, built from the password (as a server may echo it). */
  failChange?: (password: string) => Error;

  readonly engine: AdminDatabaseEngine = {
    family: FAMILY,
    maxUsernameLength: () => 16,
    isCredentialRejection: (error) => (error as { refused?: boolean }).refused === true,
    connect: async (secret, tls) => {
      this.logins.push({ user: secret.username, tls });
      if (tls && !this.offersTls) throw new Error('the server does not offer TLS');
      if (this.users.get(secret.username) !== secret.password) throw Object.assign(new Error(`access denied for ${secret.username}`), { refused: true });
      return this.session(secret.username);
    },
  };

  private session(user: string): AdminSession {
    const setPassword = (name: string, password: string) => {
      if (this.failChange) throw this.failChange(password);
      this.users.set(name, password);
    };
    return {
      passwordVerified: true,
      ping: async () => {},
      changeOwnPassword: async (password) => setPassword(user, password),
      setCloneUserPassword: async (name, password) => setPassword(name, password),
      close: async () => {},
    };
  }
}

interface Setup {
  sm: SecretsManagerHarness;
  server: FakeServer;
  arn: string;
}

async function setup(t: TestContext, value: Record<string, unknown> = {}): Promise<Setup> {
  const sm = SecretsManagerHarness.open();
  t.after(() => sm.close());
  const server = new FakeServer();
  server.users.set('app', 'app-password');
  const arn = await sm.createSecret('db/app', { engine: 'fake', host: HOST, username: 'app', password: 'app-password', ssl: false, ...value });
  return { sm, server, arn };
}

const pendingOf = (sm: SecretsManagerHarness, rotation: Rotation) => sm.value(rotation.arn, 'AWSPENDING', rotation.token);

test('every step refuses a secret whose rotation is cancelled or was never configured', async (t) => {
  for (const state of ['disabled', 'unconfigured'] as const) {
    const { sm, server, arn } = await setup(t);
    const invoke = rotationSteps(sm.port, singleUser(server.engine));
    const rotation = await sm.startRotation(arn, state);
    assert.equal((await sm.port.describeSecret(arn)).RotationEnabled, state === 'disabled' ? false : undefined);
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
      await assertFailsClearly(runSteps(invoke, rotation, [step]), /^Secret arn:aws:secretsmanager:.* is not enabled for rotation\.$/, []);
    }
    assert.deepEqual(server.logins, []);
    await assert.rejects(pendingOf(sm, rotation), { code: 'ResourceNotFoundException' });
  }
});

test('a token the secret has no version for, a version not AWSPENDING and an unknown step are refused', async (t) => {
  const { sm, server, arn } = await setup(t);
  const invoke = rotationSteps(sm.port, singleUser(server.engine));
  const first = versionWith(await sm.stages(arn), 'AWSCURRENT')!;
  await sm.port.putSecretValue({ SecretId: arn, ClientRequestToken: randomUUID(), SecretString: JSON.stringify({ engine: 'fake', host: HOST, username: 'app', password: 'app-password' }), VersionStages: ['AWSCURRENT'] });
  const rotation = await sm.startRotation(arn);

  await assertFailsClearly(runSteps(invoke, { ...rotation, token: 'no-such-version' }, ['createSecret']), /Secret version no-such-version has no stage for rotation/, []);
  await assertFailsClearly(runSteps(invoke, { ...rotation, token: first }, ['setSecret']), new RegExp(`Secret version ${first} not set as AWSPENDING`), []);
  await assertFailsClearly(runSteps(invoke, rotation, ['rotateSecret' as RotationStep]), /Invalid step parameter rotateSecret/, []);
});

test('createSecret fills the placeholder once: a connection-safe password, the other keys kept, the RotationToken passed on', async (t) => {
  const { sm, server, arn } = await setup(t, { dbname: 'orders', replica: { host: 'r.example.test' } });
  const calls: { password?: unknown; put?: Parameters<SecretsPort['putSecretValue']>[0] } = {};
  const port: SecretsPort = {
    ...sm.port,
    getRandomPassword: (input) => ((calls.password = input), sm.port.getRandomPassword(input)),
    putSecretValue: (input) => ((calls.put = input), sm.port.putSecretValue(input)),
  };
  const invoke = rotationSteps(port, singleUser(server.engine));
  const rotation = await sm.startRotation(arn);

  await runSteps(invoke, rotation, ['createSecret']);
  const pending = await pendingOf(sm, rotation);
  const { password, ...rest } = pending;
  assert.deepEqual(rest, { engine: 'fake', host: HOST, username: 'app', ssl: false, dbname: 'orders', replica: { host: 'r.example.test' } });
  const excluded = (calls.password as { ExcludeCharacters: string }).ExcludeCharacters;
  for (const c of '/@"\'\\:') assert.ok(excluded.includes(c), `${c} is excluded`);
  for (const c of excluded) assert.ok(!(password as string).includes(c));
  assert.deepEqual(calls.put?.VersionStages, ['AWSPENDING']);
  assert.equal(calls.put?.RotationToken, rotation.rotationToken);
  assert.equal(calls.put?.ClientRequestToken, rotation.token);

  calls.put = undefined;
  await runSteps(invoke, rotation, ['createSecret']);
  assert.equal(calls.put, undefined, 'a value already there is kept');
  assert.deepEqual(await pendingOf(sm, rotation), pending);
  assert.equal(versionWith(await sm.stages(arn), 'AWSCURRENT') === rotation.token, false, 'createSecret does not finish anything');
});

test('alternating users: the username toggles with _clone, within the server\'s length limit', async (t) => {
  assert.equal(alternateUsername('app', 16), 'app_clone');
  assert.equal(alternateUsername('app_clone', 16), 'app');
  assert.throws(() => alternateUsername('a_very_long_name', 16), /would exceed 16 characters/);

  const { sm, server, arn } = await setup(t, { username: 'a_very_long_name', masterarn: 'unused' });
  const rotation = await sm.startRotation(arn);
  await assertFailsClearly(runSteps(rotationSteps(sm.port, alternatingUsers(server.engine)), rotation, ['createSecret']), /would exceed 16 characters/, []);
  await assert.rejects(pendingOf(sm, rotation), { code: 'ResourceNotFoundException' });
});

test('setSecret refuses a pending version for another user or host, as the templates do', async (t) => {
  const { sm, server, arn } = await setup(t);
  const invoke = rotationSteps(sm.port, singleUser(server.engine));
  for (const [key, value, message] of [
    ['username', 'root', /Attempting to modify user root other than the current user app/],
    ['host', 'other.example.test', /Attempting to modify user for host other.example.test other than the current host/],
  ] as const) {
    const rotation = await sm.startRotation(arn);
    const forged = { engine: 'fake', host: HOST, username: 'app', password: 'forged-password', [key]: value };
    await sm.port.putSecretValue({ SecretId: arn, ClientRequestToken: rotation.token, SecretString: JSON.stringify(forged), VersionStages: ['AWSPENDING'] });
    await assertFailsClearly(runSteps(invoke, rotation, ['createSecret', 'setSecret']), message, ['app-password', 'forged-password']);
  }
  assert.equal(server.users.get('app'), 'app-password');
  assert.equal(server.users.has('root'), false);
});

test('a failed step says why but never quotes a password, nor keeps the statement a driver attached', async (t) => {
  const { sm, server, arn } = await setup(t);
  server.failChange = (password) => Object.assign(new Error(`syntax error at or near '${password}'`), { sql: `ALTER USER app PASSWORD '${password}'`, code: '42601' });
  const rotation = await sm.startRotation(arn);
  const invoke = rotationSteps(sm.port, singleUser(server.engine));
  await runSteps(invoke, rotation, ['createSecret']);
  const pending = (await pendingOf(sm, rotation)).password as string;

  const error = await assertFailsClearly(runSteps(invoke, rotation, ['setSecret']), /^syntax error at or near '\*{8}'$/, [pending, 'app-password']);
  assert.equal((error as Error & { code?: string }).code, '42601');
  assert.equal('sql' in error, false);
  assert.ok(!(error.stack ?? '').includes(pending));
});

test('without an ssl key TLS is tried first; plain follows a transport failure but never a refused login', async () => {
  const server = new FakeServer();
  server.users.set('app', 'right');
  const secret = (ssl: unknown, password = 'right') =>
    parseDatabaseSecret(JSON.stringify({ engine: 'fake', host: HOST, username: 'app', password, ...(ssl === undefined ? {} : { ssl }) }), 'test', FAMILY);

  await login(server.engine, secret(undefined));
  assert.deepEqual(server.logins.splice(0), [{ user: 'app', tls: true }, { user: 'app', tls: false }]);

  server.offersTls = true;
  await assert.rejects(login(server.engine, secret(undefined, 'wrong')), /access denied/);
  assert.deepEqual(server.logins.splice(0), [{ user: 'app', tls: true }], 'refused credentials are not sent again in the clear');

  server.offersTls = false;
  await assert.rejects(login(server.engine, secret(true)), /does not offer TLS/);
  await assert.rejects(login(server.engine, secret('True')), /does not offer TLS/);
  assert.deepEqual(server.logins.splice(0), [{ user: 'app', tls: true }, { user: 'app', tls: true }]);

  await login(server.engine, secret('false'));
  assert.deepEqual(server.logins.splice(0), [{ user: 'app', tls: false }]);
});

test('the secret JSON is checked as the templates check it, and no message quotes the value', () => {
  const parse = (value: unknown) => parseDatabaseSecret(typeof value === 'string' ? value : JSON.stringify(value), 'Secret s (AWSCURRENT)', FAMILY);
  const base = { engine: 'fake', host: HOST, username: 'app', password: 'p@ss' };

  assert.throws(() => parse('{"password": "hunter2"'), (e: Error) => /is not valid JSON/.test(e.message) && !e.message.includes('hunter2'));
  assert.throws(() => parse({ ...base, engine: 'postgres' }), /the engine key must be set to 'fake'/);
  assert.throws(() => parse({ ...base, engine: undefined }), /the engine key must be set to 'fake'/);
  assert.throws(() => parse({ ...base, host: '' }), /the host key is missing/);
  assert.throws(() => parse({ ...base, username: undefined }), /the username key is missing/);
  assert.throws(() => parse({ ...base, port: 'abc' }), /the port key must be a TCP port number/);
  assert.throws(() => parseDatabaseSecret(undefined, 'Secret s', FAMILY), /has no SecretString/);

  assert.equal(parse({ ...base, port: '6543' }).port, 6543);
  assert.equal(parse(base).port, FAMILY.defaultPort);
  assert.equal(parse({ ...base, password: '' }).password, '', 'an empty password is a password');
  assert.deepEqual(
    [true, 'TRUE', false, 'False', 'maybe', 1, undefined].map((ssl) => parse({ ...base, ssl }).tls),
    ['require', 'require', 'disable', 'disable', 'prefer', 'prefer', 'prefer'],
  );
  assert.equal(parseDatabaseSecret(JSON.stringify({ host: HOST, username: 'u', password: 'p' }), 's', { ...FAMILY, engineOptional: true }).engine, undefined);
});

test('builtInRotator serves the five built-in kinds and refuses the others', () => {
  const port = {} as SecretsPort;
  const builtIn = ['postgresql-single-user', 'postgresql-alternating-users', 'mysql-single-user', 'mysql-alternating-users', 'redis-single-user'];
  for (const kind of ROTATION_FUNCTION_KINDS) {
    if (builtIn.includes(kind)) assert.equal(typeof builtInRotator(kind, port), 'function', kind);
    else assert.throws(() => builtInRotator(kind, port), new RegExp(`${kind} is not a built-in rotator`));
  }
});
