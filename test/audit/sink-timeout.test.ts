import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditSink, SinkEntry } from '../../src/audit/audit-sink.js';
import { toEntryRecord } from '../../src/audit/stored-entry.js';
import { withTimeout } from '../../src/audit/sink-timeout.js';
import { buildChain } from './chain-fixture.js';

const entries = buildChain(3).entries.map(toEntryRecord);
const MS = 50;

/** A sink whose writes settle only when the test says so; it records how many ran at once. */
function controlledSink() {
  const pending: { entries: readonly SinkEntry[]; settle(error?: Error): void }[] = [];
  const state = { running: 0, mostAtOnce: 0, written: [] as number[] };
  const sink: AuditSink = {
    name: 'controlled',
    write: (batch) =>
      new Promise<void>((resolve, reject) => {
        state.mostAtOnce = Math.max(state.mostAtOnce, ++state.running);
        pending.push({
          entries: batch,
          settle: (error) => {
            state.running--;
            if (error) return reject(error);
            state.written.push(...batch.map((e) => e.sequence));
            resolve();
          },
        });
      }),
    close: async () => undefined,
  };
  return { sink, pending, state };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('a hanging sink is timed out, marked failed, and healthy again after a confirmed write', async () => {
  const { sink, pending, state } = controlledSink();
  const timed = withTimeout(sink, MS);
  assert.equal(timed.name, 'controlled');
  assert.equal(timed.healthy(), true);

  const started = Date.now();
  await assert.rejects(timed.write(entries.slice(0, 1)), { message: `audit sink controlled did not confirm within ${MS} ms` });
  const waited = Date.now() - started;
  assert.ok(waited >= MS - 5 && waited < MS + 200, `rejected after ${waited} ms`);
  assert.equal(timed.healthy(), false);

  // The hung write finishing late does not vouch for the sink; a write confirmed in time does.
  pending[0].settle();
  await tick();
  assert.equal(timed.healthy(), false);
  const next = timed.write(entries.slice(1, 2));
  await tick();
  pending[1].settle();
  await next;
  assert.equal(timed.healthy(), true);
  assert.deepEqual(state.written, [1, 2]);
});

test('writes behind a still-running inner write queue rather than run beside it', async () => {
  const { sink, pending, state } = controlledSink();
  const timed = withTimeout(sink, MS);
  const first = timed.write(entries.slice(0, 1));
  const second = timed.write(entries.slice(1, 2));
  await assert.rejects(first, /did not confirm/);
  await assert.rejects(second, /did not confirm/);
  assert.equal(pending.length, 1, 'the second write started while the first was still running');

  const third = timed.write(entries.slice(2, 3));
  pending[0].settle();
  await tick();
  pending[1].settle();
  await tick();
  pending[2].settle();
  await third;
  assert.equal(state.mostAtOnce, 1);
  assert.deepEqual(state.written, [1, 2, 3]);
});

test('an inner failure passes through and marks the sink failed', async () => {
  const { sink, pending } = controlledSink();
  const timed = withTimeout(sink, MS);
  const write = timed.write(entries.slice(0, 1));
  await tick();
  pending[0].settle(new Error('disk full'));
  await assert.rejects(write, /disk full/);
  assert.equal(timed.healthy(), false);
});

test('close waits for queued writes, then closes the inner sink, within the timeout', async () => {
  const { sink, pending } = controlledSink();
  let closed = false;
  const timed = withTimeout({ ...sink, close: async () => void (closed = true) }, MS);
  const write = timed.write(entries.slice(0, 1));
  const closing = timed.close();
  await tick();
  assert.equal(closed, false);
  pending[0].settle();
  await Promise.all([write, closing]);
  assert.equal(closed, true);

  const hung = withTimeout({ ...sink, close: () => new Promise<void>(() => undefined) }, MS);
  await assert.rejects(hung.close(), { message: `audit sink controlled did not close within ${MS} ms` });
});
