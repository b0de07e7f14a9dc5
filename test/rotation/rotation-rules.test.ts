import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AUTOMATICALLY_AFTER_DAYS_MESSAGE,
  BOTH_SCHEDULES_MESSAGE,
  DURATION_FORMAT_MESSAGE,
  DURATION_OVER_RATE_MESSAGE,
  DURATION_RANGE_MESSAGE,
  NO_SCHEDULE_MESSAGE,
  WINDOW_OVERLAP_MESSAGE,
  WINDOW_PAST_MIDNIGHT_MESSAGE,
  nextRotationDate,
  nextRotationWindow,
  parseDuration,
  parseRotationRules,
  randomTimeInWindow,
  type RotationRules,
} from '../../src/rotation/rotation-rules.js';
import { RATE_IN_HOURS_MESSAGE, RotationScheduleError } from '../../src/rotation/schedule-expression.js';

// Window rules from secrets-manager-behaviour.md §7.4 and the RotationRulesType documentation:
// hourly schedules close after one hour by default, daily ones at the end of the UTC day; a
// window must fit before the next window and before midnight UTC.

interface WindowCase {
  rules: RotationRules;
  windowHours: number;
}

const windowCases: WindowCase[] = [
  { rules: { AutomaticallyAfterDays: 30 }, windowHours: 24 },
  { rules: { ScheduleExpression: 'rate(10 days)' }, windowHours: 24 },
  { rules: { ScheduleExpression: 'rate(4 hours)' }, windowHours: 1 },
  { rules: { ScheduleExpression: 'rate(23 hours)' }, windowHours: 1 },
  { rules: { ScheduleExpression: 'cron(0 16 * * ? *)' }, windowHours: 8 },
  { rules: { ScheduleExpression: 'cron(0 0 ? * SUN#1 *)' }, windowHours: 24 },
  { rules: { ScheduleExpression: 'cron(0 23 L * ? *)' }, windowHours: 1 },
  { rules: { ScheduleExpression: 'cron(0 4/12 * * ? *)' }, windowHours: 1 },
  { rules: { ScheduleExpression: 'rate(10 days)', Duration: '3h' }, windowHours: 3 },
  { rules: { ScheduleExpression: 'rate(1 day)', Duration: '24h' }, windowHours: 24 },
  { rules: { ScheduleExpression: 'rate(4 hours)', Duration: '4h' }, windowHours: 4 },
  { rules: { ScheduleExpression: 'cron(0 16 * * ? *)', Duration: '8h' }, windowHours: 8 },
  { rules: { ScheduleExpression: 'cron(0 4/12 * * ? *)', Duration: '8h' }, windowHours: 8 },
  { rules: { ScheduleExpression: 'cron(0 0/4 * * ? *)', Duration: '4h' }, windowHours: 4 },
  { rules: { AutomaticallyAfterDays: 7, Duration: '2h' }, windowHours: 2 },
];

for (const { rules, windowHours } of windowCases) {
  test(`window of ${JSON.stringify(rules)} is ${windowHours}h`, () => {
    assert.equal(parseRotationRules(rules).windowHours, windowHours);
  });
}

interface InvalidRulesCase {
  rules: RotationRules;
  message: string;
}

const invalidRulesCases: InvalidRulesCase[] = [
  { rules: { AutomaticallyAfterDays: 30, ScheduleExpression: 'rate(30 days)' }, message: BOTH_SCHEDULES_MESSAGE },
  { rules: {}, message: NO_SCHEDULE_MESSAGE },
  { rules: { Duration: '2h' }, message: NO_SCHEDULE_MESSAGE },
  { rules: { AutomaticallyAfterDays: 0 }, message: AUTOMATICALLY_AFTER_DAYS_MESSAGE },
  { rules: { AutomaticallyAfterDays: 1001 }, message: AUTOMATICALLY_AFTER_DAYS_MESSAGE },
  { rules: { AutomaticallyAfterDays: 1.5 }, message: AUTOMATICALLY_AFTER_DAYS_MESSAGE },
  { rules: { ScheduleExpression: 'rate(2 hours)' }, message: RATE_IN_HOURS_MESSAGE },
  { rules: { ScheduleExpression: 'rate(1 day)', Duration: '0h' }, message: DURATION_RANGE_MESSAGE },
  { rules: { ScheduleExpression: 'rate(1 day)', Duration: '25h' }, message: DURATION_RANGE_MESSAGE },
  { rules: { ScheduleExpression: 'rate(1 day)', Duration: '3' }, message: DURATION_FORMAT_MESSAGE },
  { rules: { ScheduleExpression: 'rate(1 day)', Duration: 'h' }, message: DURATION_FORMAT_MESSAGE },
  { rules: { ScheduleExpression: 'rate(1 day)', Duration: '3m' }, message: DURATION_FORMAT_MESSAGE },
  { rules: { ScheduleExpression: 'rate(1 day)', Duration: '1.5h' }, message: DURATION_FORMAT_MESSAGE },
  { rules: { ScheduleExpression: 'rate(4 hours)', Duration: '5h' }, message: DURATION_OVER_RATE_MESSAGE },
  { rules: { ScheduleExpression: 'rate(12 hours)', Duration: '13h' }, message: DURATION_OVER_RATE_MESSAGE },
  { rules: { ScheduleExpression: 'cron(0 16 * * ? *)', Duration: '9h' }, message: WINDOW_PAST_MIDNIGHT_MESSAGE },
  { rules: { ScheduleExpression: 'cron(0 23 L * ? *)', Duration: '2h' }, message: WINDOW_PAST_MIDNIGHT_MESSAGE },
  { rules: { ScheduleExpression: 'cron(0 4/12 * * ? *)', Duration: '12h' }, message: WINDOW_PAST_MIDNIGHT_MESSAGE },
  { rules: { ScheduleExpression: 'cron(0 4/12 * * ? *)', Duration: '13h' }, message: WINDOW_OVERLAP_MESSAGE },
  { rules: { ScheduleExpression: 'cron(0 0/4 * * ? *)', Duration: '5h' }, message: WINDOW_OVERLAP_MESSAGE },
];

for (const { rules, message } of invalidRulesCases) {
  test(`invalid rules ${JSON.stringify(rules)}`, () => {
    assert.throws(() => parseRotationRules(rules), (error: unknown) => {
      assert.ok(error instanceof RotationScheduleError);
      assert.equal(error.message, message);
      return true;
    });
  });
}

test('AutomaticallyAfterDays is a rate in days', () => {
  assert.deepEqual(parseRotationRules({ AutomaticallyAfterDays: 30 }).schedule, { kind: 'rate', unit: 'days', value: 30 });
});

test('parseDuration reads whole hours', () => {
  assert.equal(parseDuration('1h'), 1);
  assert.equal(parseDuration('03h'), 3);
  assert.equal(parseDuration('24h'), 24);
});

interface NextDateCase {
  rules: RotationRules;
  after: string;
  start: string;
  end: string;
  nextRotationDate: string;
}

const nextDateCases: NextDateCase[] = [
  {
    // Thirty days after a change on 2026-02-03 AWS reported NextRotationDate 2026-03-05T23:59:59Z.
    rules: { AutomaticallyAfterDays: 30 },
    after: '2026-02-03T17:42:24Z',
    start: '2026-03-05T00:00:00Z',
    end: '2026-03-06T00:00:00Z',
    nextRotationDate: '2026-03-05T23:59:59Z',
  },
  {
    rules: { ScheduleExpression: 'rate(10 days)', Duration: '3h' },
    after: '2024-02-25T08:00:00Z',
    start: '2024-03-06T00:00:00Z',
    end: '2024-03-06T03:00:00Z',
    nextRotationDate: '2024-03-06T02:59:59Z',
  },
  {
    rules: { ScheduleExpression: 'rate(4 hours)' },
    after: '2025-01-15T05:00:00Z',
    start: '2025-01-15T08:00:00Z',
    end: '2025-01-15T09:00:00Z',
    nextRotationDate: '2025-01-15T08:59:59Z',
  },
  {
    rules: { ScheduleExpression: 'cron(0 16 ? * SAT *)', Duration: '2h' },
    after: '2025-01-15T00:00:00Z',
    start: '2025-01-18T16:00:00Z',
    end: '2025-01-18T18:00:00Z',
    nextRotationDate: '2025-01-18T17:59:59Z',
  },
  {
    rules: { ScheduleExpression: 'cron(0 16 L * ? *)' },
    after: '2024-02-01T00:00:00Z',
    start: '2024-02-29T16:00:00Z',
    end: '2024-03-01T00:00:00Z',
    nextRotationDate: '2024-02-29T23:59:59Z',
  },
  {
    rules: { ScheduleExpression: 'cron(0 4/12 * * ? *)' },
    after: '2025-12-31T16:30:00Z',
    start: '2026-01-01T04:00:00Z',
    end: '2026-01-01T05:00:00Z',
    nextRotationDate: '2026-01-01T04:59:59Z',
  },
];

for (const row of nextDateCases) {
  test(`next window of ${JSON.stringify(row.rules)} after ${row.after}`, () => {
    const plan = parseRotationRules(row.rules);
    const window = nextRotationWindow(plan, new Date(row.after));
    assert.equal(window.start.toISOString(), new Date(row.start).toISOString());
    assert.equal(window.end.toISOString(), new Date(row.end).toISOString());
    assert.equal(nextRotationDate(plan, Date.parse(row.after)).toISOString(), new Date(row.nextRotationDate).toISOString());
  });
}

test('randomTimeInWindow spreads over [start, end)', () => {
  const window = { start: new Date('2025-01-18T16:00:00Z'), end: new Date('2025-01-18T18:00:00Z') };
  const at = (r: number) => randomTimeInWindow(window, () => r).toISOString();
  assert.equal(at(0), '2025-01-18T16:00:00.000Z');
  assert.equal(at(0.5), '2025-01-18T17:00:00.000Z');
  assert.equal(at(0.75), '2025-01-18T17:30:00.000Z');
  assert.equal(at(1), '2025-01-18T17:59:59.999Z');
});

test('randomTimeInWindow defaults to Math.random and stays inside the window', () => {
  const window = { start: new Date('2025-01-18T16:00:00Z'), end: new Date('2025-01-18T17:00:00Z') };
  for (let i = 0; i < 100; i++) {
    const t = randomTimeInWindow(window).getTime();
    assert.ok(t >= window.start.getTime() && t < window.end.getTime());
  }
});
