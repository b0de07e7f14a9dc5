import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { WriteGate } from '../../src/storage/write-gate.js';

/** A gate on a clock the test moves, whose probe fails while `broken`, with the lines it logs. */
function gate() {
  const state = { now: 1_000_000, broken: true, probes: 0, lines: [] as string[] };
  const sink = new Writable({
    write(chunk, _encoding, done) {
      state.lines.push(JSON.parse(String(chunk)).msg as string);
      done();
    },
  });
  const writeGate = new WriteGate({
    name: 'store',
    probe: async () => {
      state.probes++;
      if (state.broken) throw new Error('disk full');
    },
    isWriteFailure: (error) => (error as { code?: string }).code === 'FULL',
    logger: pino({ base: undefined }, sink),
    clock: () => state.now,
  });
  return { state, writeGate };
}

test('a shut gate refuses without probing until its wait is over, and callers meanwhile share one probe', async () => {
  const { state, writeGate } = gate();
  await writeGate.check();
  assert.equal(state.probes, 0, 'an open gate probes nothing');
  writeGate.fail(new Error('disk full'));
  for (let i = 0; i < 100; i++) await assert.rejects(writeGate.check(), /disk full/);
  assert.equal(state.probes, 0, 'no probe before the first wait is over');
  state.now += 250;
  const checks = await Promise.allSettled(Array.from({ length: 50 }, () => writeGate.check()));
  assert.ok(checks.every((c) => c.status === 'rejected'));
  assert.equal(state.probes, 1, 'fifty callers, one probe');
  state.now += 250;
  await assert.rejects(writeGate.check());
  assert.equal(state.probes, 1, 'the wait doubled after a failed probe');
  state.now += 250;
  state.broken = false;
  assert.equal(await writeGate.ready(), true);
  assert.equal(state.probes, 2);
  assert.equal(writeGate.writable, true);
  assert.deepEqual(state.lines, ['store cannot be written: refusing requests until it can', 'store writable again']);
});

test('an error met elsewhere shuts the gate only if it says the store cannot be written', () => {
  const { writeGate } = gate();
  assert.equal(writeGate.noteError(Object.assign(new Error('constraint'), { code: 'CONSTRAINT' })), false);
  assert.equal(writeGate.writable, true);
  assert.equal(writeGate.noteError(Object.assign(new Error('disk full'), { code: 'FULL' })), true);
  assert.equal(writeGate.writable, false);
});

test('a store that takes the probe but fails the next write soon after keeps the longer wait (no flapping)', async () => {
  const { state, writeGate } = gate();
  writeGate.fail(new Error('disk full'));
  for (const wait of [250, 500, 1000]) {
    state.now += wait;
    await assert.rejects(writeGate.check());
  }
  state.now += 2000;
  state.broken = false;
  await writeGate.check();
  writeGate.fail(new Error('disk full'));
  const probes = state.probes;
  state.now += 1000;
  await assert.rejects(writeGate.check(), /disk full/);
  assert.equal(state.probes, probes, 'no probe 1 s after a failure that followed a recovery');
});
