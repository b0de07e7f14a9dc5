import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CONNECTION_UNSAFE_CHARACTERS,
  generateConnectionSafePassword,
  generateRandomPassword,
} from '../../src/secrets/random-password.js';
import { ServiceError } from '../../src/errors/service-error.js';

const LOWER = /[a-z]/;
const UPPER = /[A-Z]/;
const DIGIT = /[0-9]/;
const PUNCT = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/;
const ALLOWED_DEFAULT = /^[a-zA-Z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]*$/;

function draws(n: number, rules: Parameters<typeof generateRandomPassword>[0]): string[] {
  return Array.from({ length: n }, () => generateRandomPassword(rules));
}

function invalidParameter(message?: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof ServiceError);
    assert.equal(err.code, 'InvalidParameterException');
    if (message) assert.match(err.message, message);
    return true;
  };
}

test('default is 32 characters from the four default classes, each present', () => {
  for (const pw of draws(200, {})) {
    assert.equal(pw.length, 32);
    assert.match(pw, ALLOWED_DEFAULT);
    for (const cls of [LOWER, UPPER, DIGIT, PUNCT]) assert.match(pw, cls);
    assert.ok(!pw.includes(' '));
  }
});

test('honours PasswordLength across the range', () => {
  assert.equal(generateRandomPassword({ PasswordLength: 4 }).length, 4);
  assert.equal(generateRandomPassword({ PasswordLength: 1, RequireEachIncludedType: false }).length, 1);
  assert.equal(generateRandomPassword({ PasswordLength: 4096 }).length, 4096);
});

test('the punctuation class is exactly the 32 ASCII punctuation characters', () => {
  const pw = generateRandomPassword({
    PasswordLength: 4096,
    ExcludeLowercase: true,
    ExcludeUppercase: true,
    ExcludeNumbers: true,
  });
  const seen = new Set(pw);
  assert.equal(seen.size, 32);
  assert.deepEqual([...seen].sort().join(''), [...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'].sort().join(''));
});

test('ExcludeCharacters and the Exclude* flags are honoured across 200 draws', () => {
  const excluded = 'abcXYZ019!@#"\\';
  for (const pw of draws(200, { ExcludeCharacters: excluded, PasswordLength: 64 })) {
    for (const c of excluded) assert.ok(!pw.includes(c), `${pw} contains ${c}`);
  }
  for (const pw of draws(200, { ExcludeNumbers: true, ExcludePunctuation: true })) {
    assert.match(pw, /^[a-zA-Z]{32}$/);
    assert.match(pw, LOWER);
    assert.match(pw, UPPER);
  }
  for (const pw of draws(200, { ExcludeLowercase: true, ExcludeUppercase: true })) {
    assert.ok(!LOWER.test(pw) && !UPPER.test(pw));
    assert.match(pw, DIGIT);
    assert.match(pw, PUNCT);
  }
});

test('IncludeSpace adds a space, which is required like any other class', () => {
  for (const pw of draws(200, { IncludeSpace: true, PasswordLength: 5 })) {
    assert.ok(pw.includes(' '));
    for (const cls of [LOWER, UPPER, DIGIT, PUNCT]) assert.match(pw, cls);
  }
  assert.equal(generateRandomPassword({ IncludeSpace: true, ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true, PasswordLength: 3 }), '   ');
  assert.throws(() => generateRandomPassword({ IncludeSpace: true, PasswordLength: 4 }), invalidParameter(/too short/));
});

test('ExcludeCharacters can remove the space too', () => {
  for (const pw of draws(50, { IncludeSpace: true, ExcludeCharacters: ' ' })) assert.ok(!pw.includes(' '));
});

test('required characters land at random positions', () => {
  const firstClasses = new Set(
    draws(200, { PasswordLength: 4 }).map((pw) => [LOWER, UPPER, DIGIT, PUNCT].findIndex((re) => re.test(pw[0]))),
  );
  assert.equal(firstClasses.size, 4);
});

test('RequireEachIncludedType false allows missing classes and short lengths', () => {
  const pws = draws(200, { PasswordLength: 4, RequireEachIncludedType: false });
  const missingSome = pws.filter((pw) => ![LOWER, UPPER, DIGIT, PUNCT].every((re) => re.test(pw)));
  assert.ok(missingSome.length > 0);
  assert.equal(generateRandomPassword({ PasswordLength: 2, IncludeSpace: true, RequireEachIncludedType: false }).length, 2);
});

test('a class emptied by ExcludeCharacters is not required', () => {
  const pw = generateRandomPassword({ PasswordLength: 3, ExcludeCharacters: '0123456789' });
  assert.equal(pw.length, 3);
  assert.ok(!DIGIT.test(pw));
});

test('length shorter than the required classes is rejected', () => {
  assert.throws(
    () => generateRandomPassword({ PasswordLength: 3 }),
    invalidParameter(/^Password length is too short based on the required types\.$/),
  );
});

test('excluding every character is rejected with a clear message', () => {
  const all = { ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true };
  assert.throws(() => generateRandomPassword(all), invalidParameter(/every character type is excluded/));
  assert.throws(
    () => generateRandomPassword({ ...all, ExcludeNumbers: false, ExcludeCharacters: '0123456789' }),
    invalidParameter(/every character type is excluded/),
  );
});

test('out-of-range or non-integer lengths are rejected', () => {
  for (const PasswordLength of [0, -1, 4097, 1.5, Number.NaN]) {
    assert.throws(() => generateRandomPassword({ PasswordLength }), invalidParameter(/between 1 and 4096/));
  }
});

test('selection is roughly uniform: 20,000 single-class draws within ±25% of the mean', () => {
  const counts = new Map<string, number>();
  const rules = { PasswordLength: 1, ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true };
  for (let i = 0; i < 20_000; i++) {
    const c = generateRandomPassword(rules);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  assert.equal(counts.size, 32);
  const mean = 20_000 / 32;
  for (const [c, n] of counts) assert.ok(Math.abs(n - mean) <= mean * 0.25, `${c} drawn ${n} times (mean ${mean})`);
});

test('connection-safe passwords avoid URI/shell-breaking characters', () => {
  assert.equal(CONNECTION_UNSAFE_CHARACTERS.length, 7);
  for (const c of ':/@"\'\\ ') assert.ok(CONNECTION_UNSAFE_CHARACTERS.includes(c));
  for (let i = 0; i < 200; i++) {
    const pw = generateConnectionSafePassword();
    assert.equal(pw.length, 32);
    for (const c of CONNECTION_UNSAFE_CHARACTERS) assert.ok(!pw.includes(c), `${pw} contains ${c}`);
    for (const cls of [LOWER, UPPER, DIGIT, PUNCT]) assert.match(pw, cls);
  }
  assert.equal(generateConnectionSafePassword(64).length, 64);
});
