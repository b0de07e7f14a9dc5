import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type FilterableSecret,
  type SecretFilter,
  filterPrefixHints,
  matchesFilters,
  splitWords,
  validateFilters,
} from '../../src/secrets/list-filters.js';
import { ServiceError } from '../../src/errors/service-error.js';

function secret(overrides: Partial<FilterableSecret> = {}): FilterableSecret {
  return { name: 'DatabaseSecret', tags: [], ...overrides };
}

function f(Key: string, ...Values: string[]): SecretFilter {
  return { Key, Values };
}

const matches = (s: FilterableSecret, ...filters: SecretFilter[]) => matchesFilters(s, filters);

function invalidParameter(err: unknown): boolean {
  assert.ok(err instanceof ServiceError);
  assert.equal(err.code, 'InvalidParameterException');
  return true;
}

// --- splitWords ---------------------------------------------------------------------------

test('splitWords: camel case splits between lower and upper', () => {
  assert.deepEqual(splitWords('MyTest'), ['My', 'Test']);
  assert.deepEqual(splitWords('DescTwo'), ['Desc', 'Two']);
});

test('splitWords: an upper run followed by lowercase gives its last capital to the next word', () => {
  assert.deepEqual(splitWords('COMPANYthings'), ['COMPAN', 'Ythings']);
  assert.deepEqual(splitWords('HTTPServer'), ['HTTP', 'Server']);
});

test('splitWords: single-case text stays one word', () => {
  assert.deepEqual(splitWords('lower'), ['lower']);
  assert.deepEqual(splitWords('ABC'), ['ABC']);
  assert.deepEqual(splitWords('Secret'), ['Secret']);
});

test('splitWords: every separator and space splits, empty pieces dropped', () => {
  assert.deepEqual(splitWords('a/b_c+d=e.f@g-h i'), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']);
  assert.deepEqual(splitWords('//a--b  c'), ['a', 'b', 'c']);
});

test('splitWords: separators and case changes combine', () => {
  assert.deepEqual(splitWords('prod/MyApp-db_password'), ['prod', 'My', 'App', 'db', 'password']);
});

test('splitWords: separator-only and empty text have no words', () => {
  assert.deepEqual(splitWords('+'), []);
  assert.deepEqual(splitWords(''), []);
  assert.deepEqual(splitWords(' / '), []);
});

// --- name ---------------------------------------------------------------------------------

test('name: prefix, case-sensitive (Data ⇒ DatabaseSecret, not databaseSecret or MyData)', () => {
  assert.equal(matches(secret({ name: 'DatabaseSecret' }), f('name', 'Data')), true);
  assert.equal(matches(secret({ name: 'databaseSecret' }), f('name', 'Data')), false);
  assert.equal(matches(secret({ name: 'MyData' }), f('name', 'Data')), false);
});

test('name: whole name matches, a longer value does not', () => {
  assert.equal(matches(secret(), f('name', 'DatabaseSecret')), true);
  assert.equal(matches(secret(), f('name', 'DatabaseSecret2')), false);
});

test('name: values within one filter are OR-ed', () => {
  assert.equal(matches(secret(), f('name', 'Other', 'Data')), true);
  assert.equal(matches(secret(), f('name', 'Other', 'data')), false);
});

test('separate filters are AND-ed, even on the same key', () => {
  assert.equal(matches(secret(), f('name', 'Data'), f('name', 'Database')), true);
  assert.equal(matches(secret(), f('name', 'Data'), f('name', 'Datab2')), false);
});

test('filters on different keys are AND-ed', () => {
  const s = secret({ tags: [{ Key: 'env', Value: 'prod' }] });
  assert.equal(matches(s, f('name', 'Data'), f('tag-key', 'env')), true);
  assert.equal(matches(s, f('name', 'Data'), f('tag-key', 'team')), false);
});

test('no filters matches everything', () => {
  assert.equal(matches(secret()), true);
});

// --- tags ---------------------------------------------------------------------------------

test('tag-key: prefix, case-sensitive, against any tag', () => {
  const s = secret({ tags: [{ Key: 'Owner', Value: 'alice' }, { Key: 'environment', Value: 'prod' }] });
  assert.equal(matches(s, f('tag-key', 'env')), true);
  assert.equal(matches(s, f('tag-key', 'Own')), true);
  assert.equal(matches(s, f('tag-key', 'owner')), false);
  assert.equal(matches(s, f('tag-key', 'alice')), false);
});

test('tag-value: prefix, case-sensitive, against any tag', () => {
  const s = secret({ tags: [{ Key: 'Owner', Value: 'alice' }, { Key: 'env', Value: 'Prod' }] });
  assert.equal(matches(s, f('tag-value', 'Pro')), true);
  assert.equal(matches(s, f('tag-value', 'prod')), false);
  assert.equal(matches(s, f('tag-value', 'Owner')), false);
});

test('tag filters: a secret without tags never matches a positive value', () => {
  assert.equal(matches(secret(), f('tag-key', '')), false);
  assert.equal(matches(secret(), f('tag-value', 'x')), false);
});

test('tag-key negation excludes secrets with any matching tag; untagged secrets pass', () => {
  const tagged = secret({ tags: [{ Key: 'team', Value: 'a' }, { Key: 'Env', Value: 'b' }] });
  assert.equal(matches(tagged, f('tag-key', '!Env')), false);
  assert.equal(matches(tagged, f('tag-key', '!Other')), true);
  assert.equal(matches(secret(), f('tag-key', '!Env')), true);
});

// --- primary-region / owning-service ------------------------------------------------------

test('primary-region: prefix, case-sensitive', () => {
  const s = secret({ primaryRegion: 'eu-west-1' });
  assert.equal(matches(s, f('primary-region', 'eu-')), true);
  assert.equal(matches(s, f('primary-region', 'EU-')), false);
  assert.equal(matches(s, f('primary-region', 'us-')), false);
});

test('owning-service: prefix, case-sensitive', () => {
  const s = secret({ owningService: 'rds' });
  assert.equal(matches(s, f('owning-service', 'rd')), true);
  assert.equal(matches(s, f('owning-service', 'RDS')), false);
});

test('absent primary-region / owning-service never matches a positive value, even ""', () => {
  assert.equal(matches(secret(), f('primary-region', '')), false);
  assert.equal(matches(secret(), f('owning-service', 'rds')), false);
});

test('negation on an absent attribute passes', () => {
  assert.equal(matches(secret(), f('owning-service', '!rds')), true);
  assert.equal(matches(secret({ owningService: 'rds' }), f('owning-service', '!rds')), false);
});

// --- description (word matching) ----------------------------------------------------------

test('description: "d t" matches DescTwo (every term prefixes some word)', () => {
  assert.equal(matches(secret({ description: 'DescTwo' }), f('description', 'd t')), true);
  assert.equal(matches(secret({ description: 'DescTwo' }), f('description', 'd x')), false);
});

test('description: matching is at word starts only (ret does not match Secret)', () => {
  const s = secret({ description: 'Secret' });
  assert.equal(matches(s, f('description', 'ret')), false);
  assert.equal(matches(s, f('description', 'sec')), true);
});

test('description: case-insensitive', () => {
  const s = secret({ description: 'my database password' });
  assert.equal(matches(s, f('description', 'DATA')), true);
  assert.equal(matches(s, f('description', 'Pass My')), true);
});

test('description: a lone + matches nothing', () => {
  assert.equal(matches(secret({ description: 'a+b' }), f('description', '+')), false);
  assert.equal(matches(secret({ description: 'anything' }), f('description', '+')), false);
});

test('description: COMPANYthings splits as COMPAN | Ythings', () => {
  const s = secret({ description: 'COMPANYthings' });
  assert.equal(matches(s, f('description', 'compan')), true);
  assert.equal(matches(s, f('description', 'ythings')), true);
  assert.equal(matches(s, f('description', 'things')), false);
  assert.equal(matches(s, f('description', 'COMPANYthings')), true);
});

test('description: the value is split like the attribute, so the text finds itself', () => {
  const s = secret({ description: 'prod/my-app_MyTest' });
  assert.equal(matches(s, f('description', 'prod/my-app_MyTest')), true);
  assert.equal(matches(s, f('description', 'my-app')), true);
});

test('description: absent description never matches a positive value', () => {
  assert.equal(matches(secret(), f('description', 'Data')), false);
  assert.equal(matches(secret(), f('description', '!Data')), true);
});

// --- all ----------------------------------------------------------------------------------

test('all: searches name, description, tag keys and tag values, case-insensitively', () => {
  const s = secret({
    name: 'prod/DatabaseSecret',
    description: 'Primary cluster',
    tags: [{ Key: 'CostCenter', Value: 'finance' }],
  });
  assert.equal(matches(s, f('all', 'database')), true);
  assert.equal(matches(s, f('all', 'cluster')), true);
  assert.equal(matches(s, f('all', 'center')), true);
  assert.equal(matches(s, f('all', 'FIN')), true);
  assert.equal(matches(s, f('all', 'base')), false);
});

test('all: terms may be satisfied by different attributes', () => {
  const s = secret({ name: 'prod/api', description: 'Payments', tags: [{ Key: 'owner', Value: 'alice' }] });
  assert.equal(matches(s, f('all', 'prod alice')), true);
  assert.equal(matches(s, f('all', 'pay owner api')), true);
  assert.equal(matches(s, f('all', 'prod bob')), false);
});

test('all: a lone + matches nothing', () => {
  assert.equal(matches(secret({ name: 'a+b' }), f('all', '+')), false);
});

// --- negation -----------------------------------------------------------------------------

test('negation: !value excludes secrets whose attribute matches the rest', () => {
  assert.equal(matches(secret({ name: 'DatabaseSecret' }), f('name', '!Data')), false);
  assert.equal(matches(secret({ name: 'OtherSecret' }), f('name', '!Data')), true);
});

test('negation combined with positives: must match a positive and no negated value', () => {
  const filter = f('name', 'Data', '!DataOld');
  assert.equal(matches(secret({ name: 'DatabaseSecret' }), filter), true);
  assert.equal(matches(secret({ name: 'DataOldSecret' }), filter), false);
  assert.equal(matches(secret({ name: 'OtherSecret' }), filter), false);
});

test('negation: several negated values all exclude', () => {
  const filter = f('name', '!a', '!b');
  assert.equal(matches(secret({ name: 'alpha' }), filter), false);
  assert.equal(matches(secret({ name: 'beta' }), filter), false);
  assert.equal(matches(secret({ name: 'gamma' }), filter), true);
});

test('negation with word matching (description / all)', () => {
  const s = secret({ name: 'x', description: 'DescTwo' });
  assert.equal(matches(s, f('description', '!two')), false);
  assert.equal(matches(s, f('description', '!wo')), true);
  assert.equal(matches(s, f('all', '!desc')), false);
  assert.equal(matches(s, f('all', '!+')), true);
});

test('negation: a bare ! on a prefix key excludes everything', () => {
  assert.equal(matches(secret(), f('name', '!')), false);
});

test('negation in one filter and a positive in another are AND-ed', () => {
  const s = secret({ name: 'DatabaseSecret', tags: [{ Key: 'env', Value: 'prod' }] });
  assert.equal(matches(s, f('name', 'Data'), f('tag-value', '!prod')), false);
  assert.equal(matches(s, f('name', 'Data'), f('tag-value', '!dev')), true);
});

// --- validation ---------------------------------------------------------------------------

test('validateFilters accepts undefined, [] and well-formed filters', () => {
  validateFilters(undefined);
  validateFilters([]);
  validateFilters([f('name', 'a'), f('all', '!b', 'c'), f('tag-key', ''), f('primary-region', 'eu')]);
});

test('validateFilters rejects empty or missing Values', () => {
  assert.throws(() => validateFilters([f('name')]), invalidParameter);
  assert.throws(() => validateFilters([{ Key: 'name' } as unknown as SecretFilter]), invalidParameter);
});

test('validateFilters rejects unknown keys and non-string values', () => {
  assert.throws(() => validateFilters([f('Name', 'a')]), invalidParameter);
  assert.throws(() => validateFilters([{ Key: 'name', Values: [1] } as unknown as SecretFilter]), invalidParameter);
});

test('matchesFilters rejects an unknown key rather than ignoring it', () => {
  assert.throws(() => matches(secret(), f('bogus', 'a')), invalidParameter);
});

// --- filterPrefixHints --------------------------------------------------------------------

test('filterPrefixHints: one name filter with one positive value gives a prefix', () => {
  assert.deepEqual(filterPrefixHints([f('name', 'prod/')]), { namePrefix: 'prod/' });
  assert.deepEqual(filterPrefixHints([f('name', 'prod/', '!prod/old'), f('tag-key', 'x')]), { namePrefix: 'prod/' });
});

test('filterPrefixHints: nothing when ambiguous or useless', () => {
  assert.deepEqual(filterPrefixHints(undefined), {});
  assert.deepEqual(filterPrefixHints([]), {});
  assert.deepEqual(filterPrefixHints([f('name', 'a', 'b')]), {});
  assert.deepEqual(filterPrefixHints([f('name', 'a'), f('name', 'ab')]), {});
  assert.deepEqual(filterPrefixHints([f('name', '!a')]), {});
  assert.deepEqual(filterPrefixHints([f('name', '')]), {});
  assert.deepEqual(filterPrefixHints([f('all', 'a')]), {});
});
