// Time-based deletion follows the wall clock only once it has kept pace with
// the monotonic clock for the steady period: at start and after every jump.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { TrustedClock } from '../../src/app/trusted-clock.js';

const DAY_MS = 86_400_000;
const T0 = Date.UTC(2030, 0, 1);

function clocks(steadyMs = 60_000) {
  const lines: { level: number; msg: string; jumpMs?: number }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  const state = { wall: T0, mono: 1_000 };
  const clock = new TrustedClock(() => state.wall, steadyMs, logger, () => state.mono);
  /** Both clocks move on together, as time passes. */
  const pass = (ms: number) => {
    state.wall += ms;
    state.mono += ms;
  };
  return { clock, state, pass, lines };
}

test('the wall clock is not trusted at start until it has kept pace for the steady period', () => {
  const { clock, pass } = clocks();
  assert.equal(clock.now(), undefined);
  pass(59_000);
  assert.equal(clock.now(), undefined);
  pass(1_000);
  assert.equal(clock.now(), T0 + 60_000);
});

test('a forward jump of 8 days holds deletion for the steady period, with a warning, then resumes', () => {
  const { clock, state, pass, lines } = clocks();
  pass(60_000);
  assert.equal(clock.now(), T0 + 60_000);
  state.wall += 8 * DAY_MS;
  pass(1_000);
  assert.equal(clock.now(), undefined, 'the jump is not followed');
  const warning = lines.find((l) => l.level === 40);
  assert.match(warning!.msg, /wall clock jumped/);
  assert.equal(warning!.jumpMs, 8 * DAY_MS);
  pass(59_000);
  assert.equal(clock.now(), undefined, 'still within the steady period');
  pass(1_000);
  assert.equal(clock.now(), state.wall);
  assert.ok(lines.some((l) => l.level === 30 && /resumes/.test(l.msg)));
});

test('a backward step holds too; each new jump starts the steady period again', () => {
  const { clock, state, pass } = clocks();
  pass(60_000);
  assert.ok(clock.now());
  state.wall -= DAY_MS;
  assert.equal(clock.now(), undefined);
  pass(50_000);
  state.wall += 3 * DAY_MS;
  assert.equal(clock.now(), undefined);
  pass(50_000);
  assert.equal(clock.now(), undefined, 'the second jump restarted the period');
  pass(10_000);
  assert.equal(clock.now(), state.wall);
});

test('drift within seconds, however long between readings, is no jump', () => {
  const { clock, state, pass } = clocks();
  pass(60_000);
  for (let i = 0; i < 10; i++) {
    pass(3_600_000);
    state.wall += 900; // NTP slewing a clock that runs slow
    assert.equal(clock.now(), state.wall);
  }
});
