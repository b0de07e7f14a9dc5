// What a failed rotation step says: the passwords it handled are masked, and nothing else is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PasswordRedactor } from '../../../src/rotation/rotators/password-redactor.js';
import { builtInRotator } from '../../../src/rotation/rotators/index.js';
import { harness, requireServer, runSteps, uniqueSuffix } from './rotation-harness.js';

function scrubbed(message: string, ...passwords: string[]): string {
  const redactor = new PasswordRedactor();
  for (const password of passwords) redactor.hide(password);
  return redactor.scrub(new Error(message)).message;
}

test('a short password is masked where it stands alone, not in the words that share its letters', () => {
  assert.equal(scrubbed('role "no_such_role" does not exist', 'x'), 'role "no_such_role" does not exist');
  assert.equal(scrubbed(`syntax error at or near "x"`, 'x'), 'syntax error at or near "********"');
  assert.equal(scrubbed(`near 'admin' at line 1: administrators only`, 'admin'), `near '********' at line 1: administrators only`);
  // Punctuation at the password's edge cannot merge into a word: "-x-" is masked wherever it is.
  assert.equal(scrubbed('value a-x-b refused', '-x-'), 'value a********b refused');
});

test('a long password is masked wherever it appears, even glued to other text', () => {
  const password = 'Zq8vN3kLw0pR';
  assert.equal(scrubbed(`near 'PASSWORD${password}' at line 1`, password), `near 'PASSWORD********' at line 1`);
  assert.equal(scrubbed(`${password}${password}`, password), '****************');
});

test('a password holding another is masked whole, and the error keeps only its code', () => {
  const redactor = new PasswordRedactor();
  redactor.hide('abc');
  redactor.hide('abc-def-123');
  const error = Object.assign(new Error(`password 'abc-def-123' or 'abc' refused`), { code: '28P01', query: "ALTER ROLE u PASSWORD 'abc-def-123'" });
  const out = redactor.scrub(error);
  assert.equal(out.message, `password '********' or '********' refused`);
  assert.equal((out as Error & { code?: string }).code, '28P01');
  assert.equal((out as Error & { query?: string }).query, undefined);
});

test('a rotation whose user does not exist says so in full when its password is one letter', async (t) => {
  const probe = async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 5000 });
    await client.connect();
    await client.end();
  };
  if (!(await requireServer(t, 'PostgreSQL at 127.0.0.1:5432', probe))) return;
  const role = `no_such_role_${uniqueSuffix()}`;
  const sm = harness(t);
  const arn = await sm.createSecret(`db/${role}`, { engine: 'postgres', host: '127.0.0.1', username: role, password: 'x', ssl: false });
  const rotation = await sm.startRotation(arn);
  const invoke = builtInRotator('postgresql-single-user', sm.port);
  const error = await runSteps(invoke, rotation).then(
    () => assert.fail('the rotation of a missing role was expected to fail'),
    (e: unknown) => e as Error,
  );
  assert.match(error.message, new RegExp(`role "${role}" does not exist`));
});
