import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EpochCache } from '../../src/storage/epoch-cache.js';

test('serves a loaded value until the epoch moves, then loads again', async () => {
  let epoch = 1;
  let loads = 0;
  const cache = new EpochCache<string>(() => epoch);
  const load = async () => `value ${++loads}`;
  assert.equal(await cache.getOrLoad('k', load), 'value 1');
  assert.equal(await cache.getOrLoad('k', load), 'value 1');
  epoch = 2;
  assert.equal(await cache.getOrLoad('k', load), 'value 2');
  assert.equal(loads, 2);
});

test('a value loaded while the epoch moved is returned but not kept', async () => {
  let epoch = 1;
  let loads = 0;
  const cache = new EpochCache<string>(() => epoch);
  const racing = async () => {
    epoch++;
    return `value ${++loads}`;
  };
  assert.equal(await cache.getOrLoad('k', racing), 'value 1');
  assert.equal(await cache.getOrLoad('k', async () => `value ${++loads}`), 'value 2');
  assert.equal(await cache.getOrLoad('k', async () => `value ${++loads}`), 'value 2');
});

test('nothing found is not cached, and the cache stays within its size', async () => {
  const cache = new EpochCache<number>(() => 0, 3);
  let loads = 0;
  assert.equal(await cache.getOrLoad('missing', async () => (loads++, undefined)), undefined);
  assert.equal(await cache.getOrLoad('missing', async () => (loads++, undefined)), undefined);
  assert.equal(loads, 2);
  for (let i = 0; i < 10; i++) await cache.getOrLoad(`k${i}`, async () => i);
  let reloads = 0;
  await cache.getOrLoad('k0', async () => (reloads++, 0));
  assert.equal(reloads, 1, 'old entries were dropped when the cache filled');
});
