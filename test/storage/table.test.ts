// A declared table's statements and conversions (the contract suites run them on both databases).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computed, fixed, flag, generated, integer, json, optional, optionalList, table, text, time } from '../../src/storage/rows/table.js';

interface Thing {
  id: number;
  name: string;
  createdAt: number;
  enabled: boolean;
  note?: string;
  tags: string[];
  parts?: string[];
  seenAt?: number;
  count: number;
}

const THINGS = table<Thing, 'seenAt' | 'count'>('things', {
  id: fixed(integer('id')),
  name: fixed(text('name')),
  createdAt: fixed(time('created_at')),
  enabled: flag('enabled'),
  note: optional(text('note')),
  tags: json<string[]>('tags'),
  parts: optionalList(json<string[]>('parts')),
  seenAt: optional(generated(time('seen_at'))),
  count: computed(integer('part_count')),
});

test('INSERT writes the fixed and changing columns, UPDATE the changing ones, a SELECT lists the table columns', () => {
  assert.equal(
    THINGS.insert({ createdAt: 'MAX(@createdAt, 5)' }),
    'INSERT INTO things (id, name, created_at, enabled, note, tags, parts) VALUES (@id, @name, MAX(@createdAt, 5), @enabled, @note, @tags, @parts)',
  );
  assert.throws(() => THINGS.insert({ count: '1' }), /things writes no field count/);
  assert.equal(THINGS.update('id = @id'), 'UPDATE things SET enabled = @enabled, note = @note, tags = @tags, parts = @parts WHERE id = @id');
  assert.equal(THINGS.select('t'), 't.id, t.name, t.created_at, t.enabled, t.note, t.tags, t.parts, t.seen_at');
  assert.equal(THINGS.select('t', 't_'), 't.id AS t_id, t.name AS t_name, t.created_at AS t_created_at, t.enabled AS t_enabled, t.note AS t_note, t.tags AS t_tags, t.parts AS t_parts, t.seen_at AS t_seen_at');
});

test('parameters: a flag is 0/1 for SQLite and a boolean for PostgreSQL; absent fields and empty optional lists are NULL', () => {
  const thing = { id: 7, name: 'a', createdAt: 1000, enabled: true, tags: [], parts: [] };
  const params = { id: 7, name: 'a', createdAt: 1000, note: null, tags: '[]', parts: null };
  assert.deepEqual(THINGS.params(thing, 'sqlite'), { ...params, enabled: 1 });
  assert.deepEqual(THINGS.params(thing, 'postgres'), { ...params, enabled: true });
  assert.deepEqual(THINGS.params({ ...thing, enabled: false, note: 'n', parts: ['x'] }, 'sqlite'), { ...params, enabled: 0, note: 'n', parts: '["x"]' });
});

test('rows: NULL reads as an absent field, 0/1 and booleans as booleans, and a prefix reads a joined table', () => {
  const row = { id: 7, name: 'a', created_at: 1000, enabled: 1, note: null, tags: '["t"]', parts: null, seen_at: null, part_count: 0 };
  assert.deepEqual(THINGS.read(row), { id: 7, name: 'a', createdAt: 1000, enabled: true, tags: ['t'], count: 0 });
  assert.deepEqual(THINGS.readOne({ ...row, enabled: false, note: 'n', seen_at: 5 }), { id: 7, name: 'a', createdAt: 1000, enabled: false, note: 'n', tags: ['t'], seenAt: 5, count: 0 });
  assert.equal(THINGS.readOne(undefined), undefined);
  const joined = Object.fromEntries(Object.entries(row).map(([name, value]) => [`t_${name}`, value]));
  assert.deepEqual(THINGS.readPrefixed(joined, 't_'), THINGS.read(row));
  assert.deepEqual(THINGS.readAll([row, row]), [THINGS.read(row), THINGS.read(row)]);
});

test('a shaped table reads and writes another record through the same columns', () => {
  const NAMES = THINGS.shaped(
    (thing) => ({ label: thing.name, ...thing }),
    (named: Omit<Thing, 'seenAt' | 'count'> & { label: string }) => ({ ...named, name: named.label }),
  );
  const row = { id: 7, name: 'a', created_at: 1000, enabled: 0, note: null, tags: '[]', parts: null, seen_at: null, part_count: 2 };
  assert.equal(NAMES.read(row).label, 'a');
  assert.equal(NAMES.params({ id: 7, name: 'ignored', label: 'b', createdAt: 1, enabled: false, tags: [] }, 'postgres').name, 'b');
});
