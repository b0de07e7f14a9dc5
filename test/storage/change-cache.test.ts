import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeCache } from '../../src/storage/change-cache.js';
import { ChangeFeed } from '../../src/storage/change-feed.js';

test('an entry is dropped when a change names what it was loaded from, and only then', async () => {
  const feed = new ChangeFeed();
  const cache = new ChangeCache<{ id: string; n: number }>(feed, (v) => [`thing:${v.id}`]);
  let loads = 0;
  const load = (id: string) => async () => ({ id, n: ++loads });
  const a = await cache.getOrLoad('a', load('a'));
  await cache.getOrLoad('b', load('b'));
  feed.apply(['thing:b', 'other:a']);
  assert.equal(await cache.getOrLoad('a', load('a')), a, 'a change to something else keeps the entry');
  assert.equal((await cache.getOrLoad('b', load('b')))!.n, 3, 'the changed entry is loaded again');
  feed.dropAll();
  assert.equal((await cache.getOrLoad('a', load('a')))!.n, 4);
});

test('a value loaded while a change was applied is returned but not kept', async () => {
  const feed = new ChangeFeed();
  const cache = new ChangeCache<string>(feed, () => []);
  let loads = 0;
  assert.equal(await cache.getOrLoad('k', async () => (feed.apply(['x']), `value ${++loads}`)), 'value 1');
  assert.equal(await cache.getOrLoad('k', async () => `value ${++loads}`), 'value 2');
  assert.equal(await cache.getOrLoad('k', async () => `value ${++loads}`), 'value 2');
});

test('nothing found is not cached, and the cache stays within its size', async () => {
  const cache = new ChangeCache<number>(new ChangeFeed(), () => [], 3);
  let loads = 0;
  assert.equal(await cache.getOrLoad('missing', async () => (loads++, undefined)), undefined);
  assert.equal(await cache.getOrLoad('missing', async () => (loads++, undefined)), undefined);
  assert.equal(loads, 2);
  for (let i = 0; i < 10; i++) await cache.getOrLoad(`k${i}`, async () => i);
  let reloads = 0;
  await cache.getOrLoad('k0', async () => (reloads++, 0));
  assert.equal(reloads, 1, 'old entries were dropped when the cache filled');
});
