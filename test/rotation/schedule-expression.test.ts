import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  INVALID_SCHEDULE_EXPRESSION,
  RATE_IN_DAYS_MESSAGE,
  RATE_IN_HOURS_MESSAGE,
  RotationScheduleError,
  nextOccurrence,
  parseScheduleExpression,
  windowStartHours,
} from '../../src/rotation/schedule-expression.js';

// Expected times are worked out by hand from the cron rules in secrets-manager-behaviour.md §7.4
// and a calendar. Month starts used below (weekday of the 1st):
//   2024 (leap): Jan Mon, Feb Thu, Mar Fri, Apr Mon, Jun Sat, Nov Fri, Dec Sun
//   2025:        Jan Wed, Feb Sat, Mar Sat, Apr Tue, May Thu, Jun Sun, Nov Sat, Dec Mon
//   2026:        Jan Thu, Feb Sun, Mar Sun
// Each row chains: next[0] follows `from`, next[i] follows next[i - 1]. All times are UTC.

interface NextCase {
  expression: string;
  from: string;
  next: string[];
  why: string;
}

const rateCases: NextCase[] = [
  { expression: 'rate(4 hours)', from: '2025-01-15T00:00:00Z', next: ['2025-01-15T04:00:00Z', '2025-01-15T08:00:00Z'], why: 'strictly after midnight' },
  { expression: 'rate(4 hours)', from: '2025-01-15T21:30:00Z', next: ['2025-01-16T00:00:00Z', '2025-01-16T04:00:00Z'], why: 'rolls into the next day' },
  { expression: 'rate(4 hours)', from: '2024-02-28T23:00:00Z', next: ['2024-02-29T00:00:00Z'], why: 'leap day' },
  { expression: 'rate(5 hours)', from: '2025-01-15T20:00:00Z', next: ['2025-01-16T00:00:00Z', '2025-01-16T05:00:00Z'], why: 'hour increments restart at midnight' },
  { expression: 'rate(6 hours)', from: '2025-01-15T18:00:00Z', next: ['2025-01-16T00:00:00Z', '2025-01-16T06:00:00Z'], why: '0, 6, 12, 18' },
  { expression: 'rate(12 hours)', from: '2025-03-10T11:59:59Z', next: ['2025-03-10T12:00:00Z', '2025-03-11T00:00:00Z'], why: 'twice a day' },
  { expression: 'rate(23 hours)', from: '2025-06-01T01:00:00Z', next: ['2025-06-01T23:00:00Z', '2025-06-02T00:00:00Z'], why: 'longest hourly rate' },
  { expression: 'rate(1 day)', from: '2025-01-31T15:20:00Z', next: ['2025-02-01T00:00:00Z', '2025-02-02T00:00:00Z'], why: 'singular unit, month end' },
  { expression: 'rate(1 day)', from: '2024-12-31T23:59:59.999Z', next: ['2025-01-01T00:00:00Z'], why: 'year end' },
  { expression: 'rate(2 days)', from: '2025-12-31T23:59:59Z', next: ['2026-01-02T00:00:00Z'], why: 'counts from the day of the last rotation' },
  { expression: 'rate(7 days)', from: '2025-01-01T00:00:00Z', next: ['2025-01-08T00:00:00Z', '2025-01-15T00:00:00Z'], why: 'weekly' },
  { expression: 'rate(10 days)', from: '2024-02-25T08:00:00Z', next: ['2024-03-06T00:00:00Z', '2024-03-16T00:00:00Z'], why: 'across a leap February' },
  { expression: 'rate(10 days)', from: '2025-02-25T08:00:00Z', next: ['2025-03-07T00:00:00Z'], why: 'across a common February' },
  { expression: 'rate(30 days)', from: '2026-02-03T17:42:24Z', next: ['2026-03-05T00:00:00Z'], why: 'thirty days on' },
  { expression: 'rate(999 days)', from: '2024-01-01T00:00:00Z', next: ['2026-09-26T00:00:00Z'], why: 'longest rate' },
];

const cronCases: NextCase[] = [
  { expression: 'cron(0 10 * * ? *)', from: '2025-01-15T09:00:00Z', next: ['2025-01-15T10:00:00Z', '2025-01-16T10:00:00Z'], why: 'every day at 10:00' },
  { expression: 'cron(0 10 * * ? *)', from: '2025-01-15T10:00:00Z', next: ['2025-01-16T10:00:00Z'], why: 'strictly after an occurrence' },
  { expression: 'cron(0 10 * * ? *)', from: '2025-12-31T10:00:00.001Z', next: ['2026-01-01T10:00:00Z'], why: 'year end' },
  { expression: 'cron(0 18 ? * SAT *)', from: '2025-01-15T00:00:00Z', next: ['2025-01-18T18:00:00Z', '2025-01-25T18:00:00Z'], why: 'every Saturday' },
  { expression: 'cron(0 8 1 * ? *)', from: '2025-01-01T08:00:00Z', next: ['2025-02-01T08:00:00Z', '2025-03-01T08:00:00Z'], why: 'first of the month' },
  { expression: 'cron(0 17 L * ? *)', from: '2024-01-31T17:00:00Z', next: ['2024-02-29T17:00:00Z', '2024-03-31T17:00:00Z', '2024-04-30T17:00:00Z'], why: 'L = last day, leap February' },
  { expression: 'cron(0 17 L * ? *)', from: '2025-02-01T00:00:00Z', next: ['2025-02-28T17:00:00Z', '2025-03-31T17:00:00Z'], why: 'L in a common February' },
  { expression: 'cron(0 12 L 2 ? *)', from: '2023-03-01T00:00:00Z', next: ['2024-02-29T12:00:00Z', '2025-02-28T12:00:00Z'], why: 'last day of February, yearly' },
  { expression: 'cron(0 0 L DEC ? *)', from: '2024-06-01T00:00:00Z', next: ['2024-12-31T00:00:00Z', '2025-12-31T00:00:00Z'], why: 'New Year’s Eve' },
  { expression: 'cron(0 8 ? * MON-FRI *)', from: '2025-01-17T09:00:00Z', next: ['2025-01-20T08:00:00Z', '2025-01-21T08:00:00Z'], why: 'weekdays skip the weekend' },
  { expression: 'cron(0 9 ? * 2-6 *)', from: '2025-01-18T00:00:00Z', next: ['2025-01-20T09:00:00Z'], why: 'numeric weekday range, 2 = MON' },
  { expression: 'cron(0 9 ? * MON,WED,FRI *)', from: '2025-01-15T09:00:00Z', next: ['2025-01-17T09:00:00Z', '2025-01-20T09:00:00Z'], why: 'day name list' },
  { expression: 'cron(0 16 1,15 * ? *)', from: '2025-01-15T16:00:00Z', next: ['2025-02-01T16:00:00Z', '2025-02-15T16:00:00Z'], why: 'day list' },
  { expression: 'cron(0 0 ? * SUN#1 *)', from: '2025-01-01T00:00:00Z', next: ['2025-01-05T00:00:00Z', '2025-02-02T00:00:00Z', '2025-03-02T00:00:00Z'], why: 'first Sunday' },
  { expression: 'cron(0 9 ? * 2#1 *)', from: '2025-01-01T00:00:00Z', next: ['2025-01-06T09:00:00Z', '2025-02-03T09:00:00Z', '2025-03-03T09:00:00Z'], why: '2#1 = first Monday' },
  { expression: 'cron(0 0 ? * TUE#3 *)', from: '2025-03-01T00:00:00Z', next: ['2025-03-18T00:00:00Z', '2025-04-15T00:00:00Z'], why: 'third Tuesday' },
  { expression: 'cron(0 3 ? * SAT#1 *)', from: '2025-11-02T00:00:00Z', next: ['2025-12-06T03:00:00Z', '2026-01-03T03:00:00Z'], why: 'first Saturday, over the year end' },
  { expression: 'cron(0 0 ? * 5#5 *)', from: '2025-01-01T00:00:00Z', next: ['2025-01-30T00:00:00Z', '2025-05-29T00:00:00Z'], why: 'fifth Thursday skips months without one' },
  { expression: 'cron(0 0 ? * 1#5 *)', from: '2025-01-01T00:00:00Z', next: ['2025-03-30T00:00:00Z', '2025-06-29T00:00:00Z'], why: 'fifth Sunday' },
  { expression: 'cron(0 0 ? 11-12 1#4 *)', from: '2025-06-01T00:00:00Z', next: ['2025-11-23T00:00:00Z', '2025-12-28T00:00:00Z'], why: 'fourth Sunday of November and December' },
  { expression: 'cron(0 0 ? FEB 5#5 *)', from: '2021-01-01T00:00:00Z', next: ['2024-02-29T00:00:00Z', '2052-02-29T00:00:00Z'], why: 'fifth Thursday of February exists only in some leap years' },
  { expression: 'cron(0 12 ? * 6L *)', from: '2025-01-01T00:00:00Z', next: ['2025-01-31T12:00:00Z', '2025-02-28T12:00:00Z', '2025-03-28T12:00:00Z'], why: '6L = last Friday' },
  { expression: 'cron(0 12 ? * FRIL *)', from: '2024-01-01T00:00:00Z', next: ['2024-01-26T12:00:00Z', '2024-02-23T12:00:00Z', '2024-03-29T12:00:00Z'], why: 'FRIL = last Friday, leap February' },
  { expression: 'cron(0 6 ? * 1L *)', from: '2025-03-01T00:00:00Z', next: ['2025-03-30T06:00:00Z', '2025-04-27T06:00:00Z'], why: 'last Sunday' },
  { expression: 'cron(0 0 ? * 7L *)', from: '2026-02-01T00:00:00Z', next: ['2026-02-28T00:00:00Z', '2026-03-28T00:00:00Z'], why: 'last Saturday' },
  { expression: 'cron(0 23 ? * L *)', from: '2025-01-15T00:00:00Z', next: ['2025-01-18T23:00:00Z', '2025-01-25T23:00:00Z'], why: 'L alone in day-of-week = Saturday' },
  { expression: 'cron(0 6 29 2 ? *)', from: '2025-03-01T00:00:00Z', next: ['2028-02-29T06:00:00Z', '2032-02-29T06:00:00Z'], why: 'February 29 waits for a leap year' },
  { expression: 'cron(0 6 29 FEB ? *)', from: '2096-03-01T00:00:00Z', next: ['2104-02-29T06:00:00Z'], why: '2100 is not a leap year' },
  { expression: 'cron(0 0 31 * ? *)', from: '2025-01-31T00:00:00Z', next: ['2025-03-31T00:00:00Z', '2025-05-31T00:00:00Z'], why: 'months without a 31st are skipped' },
  { expression: 'cron(0 0 30 * ? *)', from: '2025-01-30T12:00:00Z', next: ['2025-03-30T00:00:00Z', '2025-04-30T00:00:00Z'], why: 'February has no 30th' },
  { expression: 'cron(0 20 1-5 * ? *)', from: '2025-01-05T20:00:00Z', next: ['2025-02-01T20:00:00Z', '2025-02-02T20:00:00Z'], why: 'day range, end of range rolls the month' },
  { expression: 'cron(0 20 25-31 FEB ? *)', from: '2024-02-28T21:00:00Z', next: ['2024-02-29T20:00:00Z', '2025-02-25T20:00:00Z'], why: 'day range clipped to the month length' },
  { expression: 'cron(0 8 1/7 * ? *)', from: '2025-02-22T09:00:00Z', next: ['2025-03-01T08:00:00Z', '2025-03-08T08:00:00Z'], why: '1/7 = 1, 8, 15, 22, 29; no 29th in February 2025' },
  { expression: 'cron(0 8 1/7 * ? *)', from: '2024-02-22T09:00:00Z', next: ['2024-02-29T08:00:00Z', '2024-03-01T08:00:00Z'], why: '1/7 reaches the 29th in a leap February' },
  { expression: 'cron(0 4/12 * * ? *)', from: '2025-01-15T05:00:00Z', next: ['2025-01-15T16:00:00Z', '2025-01-16T04:00:00Z'], why: 'documented example: 04:00 and 16:00' },
  { expression: 'cron(0 0/4 * * ? *)', from: '2025-01-15T21:00:00Z', next: ['2025-01-16T00:00:00Z', '2025-01-16T04:00:00Z'], why: '0/4 = every four hours from midnight' },
  { expression: 'cron(0 0/4 * * ? *)', from: '2025-01-15T03:59:59Z', next: ['2025-01-15T04:00:00Z', '2025-01-15T08:00:00Z'], why: 'just before an occurrence' },
  { expression: 'cron(0 2/10 * * ? *)', from: '2025-01-15T12:00:00Z', next: ['2025-01-15T22:00:00Z', '2025-01-16T02:00:00Z'], why: '2/10 = 2, 12, 22' },
  { expression: 'cron(0 0/7 * * ? *)', from: '2025-01-15T21:00:00Z', next: ['2025-01-16T00:00:00Z', '2025-01-16T07:00:00Z'], why: 'increments restart each day' },
  { expression: 'cron(0 4-20/8 * * ? *)', from: '2025-01-15T20:00:00Z', next: ['2025-01-16T04:00:00Z', '2025-01-16T12:00:00Z'], why: 'range with increment = 4, 12, 20' },
  { expression: 'cron(0 0,12 * * ? *)', from: '2025-01-15T00:00:00Z', next: ['2025-01-15T12:00:00Z', '2025-01-16T00:00:00Z'], why: 'hour list' },
  { expression: 'cron(0 1 ? 1/3 SUN *)', from: '2025-01-26T01:00:00Z', next: ['2025-04-06T01:00:00Z', '2025-04-13T01:00:00Z'], why: 'Sundays of every third month' },
  { expression: 'cron(0 12 ? JAN,APR,JUL,OCT 2 *)', from: '2025-03-15T00:00:00Z', next: ['2025-04-07T12:00:00Z', '2025-04-14T12:00:00Z'], why: 'month name list' },
  { expression: 'cron(0 0 15 */2 ? *)', from: '2025-01-15T00:00:00Z', next: ['2025-03-15T00:00:00Z', '2025-05-15T00:00:00Z'], why: '*/2 = odd months' },
  { expression: 'cron(0 0 ? 2 2-3 *)', from: '2025-02-25T00:00:00Z', next: ['2026-02-02T00:00:00Z', '2026-02-03T00:00:00Z'], why: 'no Monday or Tuesday left in February' },
  { expression: 'cron(0 7 ? jan-mar mon *)', from: '2025-03-31T07:00:00Z', next: ['2026-01-05T07:00:00Z'], why: 'names are case-insensitive' },
  { expression: 'cron(0 0 1 JAN ? *)', from: '2025-01-01T00:00:00Z', next: ['2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'], why: 'yearly' },
  { expression: ' cron(0  10 * *  ? *) ', from: '2025-01-15T09:00:00Z', next: ['2025-01-15T10:00:00Z'], why: 'extra spaces' },
];

function checkChain(row: NextCase): void {
  let from = row.from;
  const schedule = parseScheduleExpression(row.expression);
  for (const expected of row.next) {
    assert.equal(nextOccurrence(schedule, new Date(from)).toISOString(), new Date(expected).toISOString(), `${row.expression} after ${from}`);
    from = expected;
  }
}

for (const row of [...rateCases, ...cronCases]) {
  test(`${row.expression.trim()} after ${row.from}: ${row.why}`, () => checkChain(row));
}

test('the next-date table has at least 50 expressions', () => {
  assert.ok(rateCases.length + cronCases.length >= 50);
});

test('nextOccurrence accepts epoch milliseconds', () => {
  const schedule = parseScheduleExpression('cron(0 10 * * ? *)');
  assert.equal(nextOccurrence(schedule, Date.parse('2025-01-15T09:00:00Z')).toISOString(), '2025-01-15T10:00:00.000Z');
});

test('nextOccurrence rejects an invalid time', () => {
  assert.throws(() => nextOccurrence(parseScheduleExpression('rate(1 day)'), new Date(NaN)), RangeError);
});

test('a rarely firing schedule is found quickly', () => {
  const started = process.hrtime.bigint();
  const schedule = parseScheduleExpression('cron(0 0 ? FEB 5#5 *)');
  for (let i = 0; i < 100; i++) nextOccurrence(schedule, Date.parse('2025-01-01T00:00:00Z'));
  assert.ok(process.hrtime.bigint() - started < 1_000_000_000n);
});

test('parsed schedules', () => {
  assert.deepEqual(parseScheduleExpression('rate(1 day)'), { kind: 'rate', unit: 'days', value: 1 });
  assert.deepEqual(parseScheduleExpression('rate(12 hour)'), { kind: 'rate', unit: 'hours', value: 12 });
  assert.deepEqual(parseScheduleExpression('cron(0 4/12 * 1-3 ? *)'), {
    kind: 'cron',
    hours: [4, 16],
    months: new Set([1, 2, 3]),
    days: { kind: 'days-of-month', days: new Set(Array.from({ length: 31 }, (_, i) => i + 1)) },
  });
  assert.deepEqual(parseScheduleExpression('cron(0 8 ? * TUE#3 *)'), {
    kind: 'cron',
    hours: [8],
    months: new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    days: { kind: 'nth-weekday', weekday: 3, nth: 3 },
  });
});

test('window start hours', () => {
  assert.deepEqual(windowStartHours(parseScheduleExpression('rate(5 hours)')), [0, 5, 10, 15, 20]);
  assert.deepEqual(windowStartHours(parseScheduleExpression('rate(3 days)')), [0]);
  assert.deepEqual(windowStartHours(parseScheduleExpression('cron(0 2/10 * * ? *)')), [2, 12, 22]);
});

interface InvalidCase {
  expression: string;
  message: string;
  /** What `detail` must mention; absent when AWS's message is already specific. */
  detail?: RegExp;
}

const invalidCases: InvalidCase[] = [
  { expression: '', message: INVALID_SCHEDULE_EXPRESSION, detail: /rate\(value unit\) or cron/ },
  { expression: 'every day', message: INVALID_SCHEDULE_EXPRESSION, detail: /rate\(value unit\) or cron/ },
  { expression: 'RATE(10 days)', message: INVALID_SCHEDULE_EXPRESSION, detail: /rate\(value unit\) or cron/ },
  { expression: 'rate(10 days', message: INVALID_SCHEDULE_EXPRESSION, detail: /rate\(value unit\) or cron/ },
  { expression: 'rate(1 hour)', message: RATE_IN_HOURS_MESSAGE },
  { expression: 'rate(3 hours)', message: RATE_IN_HOURS_MESSAGE },
  { expression: 'rate(24 hours)', message: RATE_IN_HOURS_MESSAGE },
  { expression: 'rate(0 days)', message: RATE_IN_DAYS_MESSAGE },
  { expression: 'rate(1000 days)', message: RATE_IN_DAYS_MESSAGE },
  { expression: 'rate(5 minutes)', message: INVALID_SCHEDULE_EXPRESSION, detail: /unit .* "minutes"/ },
  { expression: 'rate(1 week)', message: INVALID_SCHEDULE_EXPRESSION, detail: /unit .* "week"/ },
  { expression: 'rate(-4 hours)', message: INVALID_SCHEDULE_EXPRESSION, detail: /whole number/ },
  { expression: 'rate(4.5 hours)', message: INVALID_SCHEDULE_EXPRESSION, detail: /whole number/ },
  { expression: 'rate(10)', message: INVALID_SCHEDULE_EXPRESSION, detail: /whole number/ },
  { expression: 'cron(0 10 * * ?)', message: INVALID_SCHEDULE_EXPRESSION, detail: /6 fields .* not 5/ },
  { expression: 'cron(0 0 10 * * ? *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /6 fields .* not 7/ },
  { expression: 'cron(30 10 * * ? *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /minutes field must be 0/ },
  { expression: 'cron(* 10 * * ? *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /minutes field must be 0/ },
  { expression: 'cron(0 10 * * ? 2025)', message: INVALID_SCHEDULE_EXPRESSION, detail: /year field must be \*/ },
  { expression: 'cron(0 10 * * ? 2025-2030)', message: INVALID_SCHEDULE_EXPRESSION, detail: /year field must be \*/ },
  { expression: 'cron(0 10 * * ? 2025/2)', message: INVALID_SCHEDULE_EXPRESSION, detail: /year field must be \*/ },
  { expression: 'cron(0 10 * * * *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /exactly one of day-of-month and day-of-week must be \?/ },
  { expression: 'cron(0 10 1 * MON *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /exactly one of day-of-month and day-of-week/ },
  { expression: 'cron(0 10 ? * ? *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /exactly one of day-of-month and day-of-week/ },
  { expression: 'cron(0 24 * * ? *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /"24" is not a valid hours value/ },
  { expression: 'cron(0 ? * * ? *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /"\?" is not a valid hours value/ },
  { expression: 'cron(0 * * * ? *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /at least 4 hours apart/ },
  { expression: 'cron(0 0/2 * * ? *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /at least 4 hours apart \(hours 0 and 2\)/ },
  { expression: 'cron(0 1,3 * * ? *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /at least 4 hours apart/ },
  { expression: 'cron(0 10 32 * ? *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /"32" is not a valid day-of-month value/ },
  { expression: 'cron(0 10 0 * ? *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /"0" is not a valid day-of-month value/ },
  { expression: 'cron(0 10 15W * ? *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /does not support W/ },
  { expression: 'cron(0 10 LW * ? *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /does not support W/ },
  { expression: 'cron(0 10 L-2 * ? *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /"L" is not a valid day-of-month value/ },
  { expression: 'cron(0 10 * 13 ? *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /"13" is not a valid month value \(1-12 or JAN-DEC\)/ },
  { expression: 'cron(0 10 * FOO ? *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /"FOO" is not a valid month value/ },
  { expression: 'cron(0 10 ? * 8 *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /"8" is not a valid day-of-week value \(1-7 or SUN-SAT\)/ },
  { expression: 'cron(0 10 ? * 0 *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /"0" is not a valid day-of-week value/ },
  { expression: 'cron(0 10 ? * MON#6 *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /after # must be 1 to 5/ },
  { expression: 'cron(0 10 ? * MON#0 *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /after # must be 1 to 5/ },
  { expression: 'cron(0 10 ? * 8#1 *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /"8" is not a valid day-of-week value/ },
  { expression: 'cron(0 10 ? * 2#1,3#1 *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /L and # can only be used alone/ },
  { expression: 'cron(0 10 ? * 6L,7 *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /L and # can only be used alone/ },
  { expression: 'cron(0 10 30 2 ? *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /no selected month has any of the selected days/ },
  { expression: 'cron(0 10 31 4,6,9,11 ? *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /no selected month has any of the selected days/ },
  { expression: 'cron(0 10 10-5 * ? *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /range 10-5 in day-of-month runs backwards/ },
  { expression: 'cron(0 10 ? * FRI-MON *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /range FRI-MON in day-of-week runs backwards/ },
  { expression: 'cron(0 10 1/0 * ? *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /increment \/0 in day-of-month/ },
  { expression: 'cron(0 10 1/2/3 * ? *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /more than one \// },
  { expression: 'cron(0 10 1,,2 * ? *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /"" is not a valid day-of-month value/ },
  { expression: 'cron(0 10 1-2-3 * ? *)', message: INVALID_SCHEDULE_EXPRESSION, detail: /"1-2-3" is not a valid day-of-month range/ },
];

for (const row of invalidCases) {
  test(`invalid: ${JSON.stringify(row.expression)}`, () => {
    assert.throws(
      () => parseScheduleExpression(row.expression),
      (error: unknown) => {
        assert.ok(error instanceof RotationScheduleError);
        assert.equal(error.message, row.message);
        if (row.detail) assert.match(error.detail ?? '', row.detail);
        else assert.equal(error.detail, undefined);
        return true;
      },
    );
  });
}
