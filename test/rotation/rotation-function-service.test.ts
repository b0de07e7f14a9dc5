// The rotation functions registry over SQLite: kinds and their settings,
// validation, scoping, and the webhook signing key sealed under the root key.
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rotationFunctionsService } from '../../src/api/rotation-functions/rotation-functions-service.js';
import { ServiceError } from '../../src/errors/service-error.js';
import { RootKey } from '../../src/keys/root-key.js';
import { ROTATION_FUNCTION_KINDS } from '../../src/rotation/rotation-function.js';
import { RotationFunctionService } from '../../src/rotation/rotation-function-service.js';
import type { RequestScope } from '../../src/shared/request-scope.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';

const T0 = Date.UTC(2030, 0, 1);
const scope = (now = T0, region = 'us-east-1'): RequestScope => ({ account: '111122223333', region, partition: 'aws', now });

let storage: SqliteStorage;
let functions: RotationFunctionService;

beforeEach(() => {
  storage = SqliteStorage.open(':memory:');
  functions = new RotationFunctionService(storage, new RootKey(randomBytes(32)));
});
afterEach(() => storage.close());

/** Rejects with `code` and a message matching `message`. */
const fails = (code: string, message: RegExp) => (error: unknown) => {
  assert.ok(error instanceof ServiceError, String(error));
  assert.equal(error.code, code);
  assert.match(error.message, message);
  return true;
};
const invalid = (message: RegExp) => fails('InvalidParameterValueException', message);

/** A record as the store reads it back: a setting not given is an absent member, not an undefined one. */
const stored = <T extends object>(record: T): Partial<T> => Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;

test('each kind is created with a Lambda-style ARN, its settings and the default timeout', async () => {
  const settings: Record<string, { url?: string; command?: string }> = {
    webhook: { url: 'https://rotator.example.com/hook' },
    command: { command: '/usr/local/bin/rotate --verbose' },
  };
  for (const kind of ROTATION_FUNCTION_KINDS) {
    const { fn } = await functions.create(scope(), { name: `fn-${kind}`, kind, ...settings[kind] });
    assert.equal(fn.arn, `arn:aws:lambda:us-east-1:111122223333:function:fn-${kind}`);
    assert.equal(fn.kind, kind);
    assert.equal(fn.url, settings[kind]?.url);
    assert.equal(fn.command, settings[kind]?.command);
    assert.equal(fn.timeoutSeconds, 30);
    assert.equal(fn.createdAt, T0);
    assert.deepEqual(await functions.get(scope(), fn.name), stored(fn));
    assert.deepEqual(await functions.findByArn(fn.arn), stored(fn));
  }
  assert.deepEqual(
    (await functions.list(scope())).map((fn) => fn.kind),
    [...ROTATION_FUNCTION_KINDS].sort(),
  );
});

test('a webhook gets a 32-byte signing key, returned once and stored only sealed', async () => {
  const { fn, signingKey } = await functions.create(scope(), { name: 'hook', kind: 'webhook', url: 'http://127.0.0.1:8080/rotate' });
  assert.equal(signingKey?.length, 32);
  assert.ok(fn.sealedSigningKey);
  assert.ok(!fn.sealedSigningKey.includes(signingKey!), 'not stored in the clear');
  const stored = await functions.get(scope(), 'hook');
  assert.deepEqual(functions.signingKey(stored), signingKey);
  // Sealed for this function: the same bytes do not open as another function's.
  assert.throws(() => functions.signingKey({ ...stored, arn: stored.arn.replace('hook', 'other') }));

  const { fn: pg, signingKey: built } = await functions.create(scope(), { name: 'pg', kind: 'postgresql-single-user' });
  assert.equal(built, undefined);
  assert.throws(() => functions.signingKey(pg), /has no signing key/);
});

test('update keeps what is not given, rotates the signing key on request and when a function becomes a webhook', async () => {
  const created = await functions.create(scope(), { name: 'hook', kind: 'webhook', url: 'https://a.example/hook', timeoutSeconds: 60 });

  const later = scope(T0 + 1000);
  const timeout = await functions.update(later, 'hook', { timeoutSeconds: 120 });
  assert.equal(timeout.signingKey, undefined);
  assert.equal(timeout.fn.url, 'https://a.example/hook');
  assert.equal(timeout.fn.timeoutSeconds, 120);
  assert.equal(timeout.fn.createdAt, T0);
  assert.equal(timeout.fn.updatedAt, T0 + 1000);
  assert.deepEqual(functions.signingKey(timeout.fn), created.signingKey, 'the key is kept');

  const rotated = await functions.update(later, 'hook', { rotateSigningKey: true });
  assert.equal(rotated.signingKey?.length, 32);
  assert.notDeepEqual(rotated.signingKey, created.signingKey);
  assert.deepEqual(functions.signingKey(await functions.get(scope(), 'hook')), rotated.signingKey);

  // Another kind drops the webhook's Url and key; back to a webhook, a new key.
  const command = await functions.update(later, 'hook', { kind: 'command', command: 'rotate.sh' });
  assert.equal(command.fn.url, undefined);
  assert.equal(command.fn.sealedSigningKey, undefined);
  assert.equal(command.fn.timeoutSeconds, 120);
  await assert.rejects(functions.update(later, 'hook', { rotateSigningKey: true }), invalid(/Only webhook functions have a signing key/));
  await assert.rejects(functions.update(later, 'hook', { kind: 'webhook' }), invalid(/need a Url/));
  const back = await functions.update(later, 'hook', { kind: 'webhook', url: 'https://b.example/hook' });
  assert.equal(back.fn.command, undefined);
  assert.equal(back.signingKey?.length, 32);

  await assert.rejects(functions.update(later, 'hook', {}), invalid(/Nothing to update/));
  await assert.rejects(functions.update(later, 'missing', { timeoutSeconds: 5 }), fails('ResourceNotFoundException', /function:missing/));
});

test('names, kinds, settings and timeouts are checked with messages that say what is accepted', async () => {
  const cases: [Parameters<RotationFunctionService['create']>[1], RegExp][] = [
    [{ name: 'bad name', kind: 'webhook' }, /FunctionName must be 1 to 64 letters, digits/],
    [{ name: 'x'.repeat(65), kind: 'redis-single-user' }, /FunctionName/],
    [{ name: 'k', kind: 'lambda' }, /Kind must be one of: postgresql-single-user, .*, command\./],
    [{ name: 'w', kind: 'webhook' }, /webhook functions need a Url \(--url\)/],
    [{ name: 'w', kind: 'webhook', url: 'http://rotator.example.com/hook' }, /must use https.*loopback/],
    [{ name: 'w', kind: 'webhook', url: 'http://127.0.0.1.example.com/hook' }, /must use https/],
    [{ name: 'w', kind: 'webhook', url: 'ftp://127.0.0.1/hook' }, /http or https/],
    [{ name: 'w', kind: 'webhook', url: 'not a url' }, /absolute http or https URL/],
    [{ name: 'w', kind: 'webhook', url: 'https://user:pw@a.example/' }, /must not carry credentials/],
    [{ name: 'w', kind: 'webhook', url: 'https://a.example/', command: 'x' }, /take no Command/],
    [{ name: 'c', kind: 'command' }, /command functions need a Command \(--command\)/],
    [{ name: 'c', kind: 'command', command: '   ' }, /Command must name a program/],
    [{ name: 'c', kind: 'command', command: 'x', url: 'https://a.example/' }, /take no Url/],
    [{ name: 'p', kind: 'mysql-single-user', url: 'https://a.example/' }, /mysql-single-user functions take no Url or Command/],
    [{ name: 'p', kind: 'mysql-single-user', timeoutSeconds: 0 }, /TimeoutSeconds must be a whole number of seconds from 1 to 900/],
    [{ name: 'p', kind: 'mysql-single-user', timeoutSeconds: 901 }, /from 1 to 900/],
    [{ name: 'p', kind: 'mysql-single-user', timeoutSeconds: 1.5 }, /from 1 to 900/],
  ];
  for (const [input, message] of cases) await assert.rejects(functions.create(scope(), input), invalid(message), JSON.stringify(input));
  assert.deepEqual(await functions.list(scope()), [], 'nothing was stored');

  for (const url of ['http://localhost:9000/x', 'http://127.0.0.2/x', 'http://[::1]:9000/x', 'https://rotator.example.com/x']) {
    await functions.create(scope(), { name: `ok-${(await functions.list(scope())).length}`, kind: 'webhook', url });
  }
  await functions.create(scope(), { name: 'edge_timeouts-1', kind: 'redis-single-user', timeoutSeconds: 900 });
});

test('an existing name conflicts; functions are per account and region; delete removes only the one named', async () => {
  await functions.create(scope(), { name: 'shared', kind: 'redis-single-user' });
  await assert.rejects(
    functions.create(scope(), { name: 'shared', kind: 'command', command: 'x' }),
    fails('ResourceConflictException', /shared already exists: arn:aws:lambda:us-east-1:111122223333:function:shared/),
  );
  const west = scope(T0, 'eu-west-1');
  assert.deepEqual(await functions.list(west), []);
  await assert.rejects(functions.get(west, 'shared'), fails('ResourceNotFoundException', /eu-west-1/));
  const { fn } = await functions.create(west, { name: 'shared', kind: 'command', command: 'x' });
  assert.equal(fn.arn, 'arn:aws:lambda:eu-west-1:111122223333:function:shared');

  await functions.delete(west, 'shared');
  await assert.rejects(functions.delete(west, 'shared'), fails('ResourceNotFoundException', /function:shared/));
  assert.equal((await functions.get(scope(), 'shared')).kind, 'redis-single-user');
  assert.equal(await functions.findByArn(fn.arn), undefined);
});

test('through the API only the account root manages functions: a key scoped to a secret may not add a command', async () => {
  const { handlers } = rotationFunctionsService({ functions });
  const ctx = (principalArn: string) => ({ requestId: 'r', accessKeyId: 'AKIA', principalArn, scope: scope(), authorize: async () => undefined });
  const input = { FunctionName: 'escalate', Kind: 'command', Command: 'id' };
  await assert.rejects(
    handlers.CreateRotationFunction!(ctx('arn:aws:iam::111122223333:user/rotator'), input),
    fails('AccessDeniedException', /not authorized to manage rotation functions/),
  );
  await assert.rejects(handlers.ListRotationFunctions!(ctx('arn:aws:iam::111122223333:user/rotator'), {}), fails('AccessDeniedException', /rotator/));
  const created = (await handlers.CreateRotationFunction!(ctx('arn:aws:iam::111122223333:root'), input)) as Record<string, unknown>;
  assert.equal(created.FunctionArn, 'arn:aws:lambda:us-east-1:111122223333:function:escalate');
  assert.equal(created.CreatedDate, T0 / 1000, 'epoch seconds');
});
