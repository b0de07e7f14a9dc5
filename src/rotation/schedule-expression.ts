/**
 * Secrets Manager rotation schedules (behaviour reference §7.4): `rate(N hours|days)` and
 * AWS's six-field `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, all in UTC.
 * Parsing validates the expression; `nextOccurrence` finds when the next rotation window opens.
 */

/**
 * A rejected schedule. `message` is the text AWS returns (the caller wraps it as an
 * InvalidParameterException); `detail` says what exactly is wrong when that text is generic.
 */
export class RotationScheduleError extends Error {
  readonly detail: string | undefined;

  constructor(message: string, detail?: string) {
    super(message);
    this.name = 'RotationScheduleError';
    this.detail = detail;
  }
}

export const INVALID_SCHEDULE_EXPRESSION = 'Invalid schedule expression.';
export const RATE_IN_HOURS_MESSAGE = 'Rate in hour should be least 4 and less than 24.';
export const RATE_IN_DAYS_MESSAGE = 'Rate in day should be greater than 0 and less than 1000.';

export const MIN_RATE_HOURS = 4;
export const MAX_RATE_HOURS = 23;
export const MAX_RATE_DAYS = 999;
/** "You can rotate a secret as often as every four hours" applies to cron hours too. */
const MIN_HOURS_BETWEEN_ROTATIONS = 4;

export interface RateSchedule {
  readonly kind: 'rate';
  readonly unit: 'hours' | 'days';
  readonly value: number;
}

/** Which days of a month a cron expression selects: the field that is not `?`. */
export type DayRule =
  | { readonly kind: 'days-of-month'; readonly days: ReadonlySet<number> }
  | { readonly kind: 'last-day-of-month' }
  /** Weekdays are numbered as AWS does: 1 = SUN … 7 = SAT. */
  | { readonly kind: 'days-of-week'; readonly weekdays: ReadonlySet<number> }
  | { readonly kind: 'last-weekday'; readonly weekday: number }
  | { readonly kind: 'nth-weekday'; readonly weekday: number; readonly nth: number };

export interface CronSchedule {
  readonly kind: 'cron';
  /** Ascending hours of the day (0–23) at which windows open; minutes are always 0. */
  readonly hours: readonly number[];
  readonly months: ReadonlySet<number>;
  readonly days: DayRule;
}

export type Schedule = RateSchedule | CronSchedule;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export function parseScheduleExpression(expression: string): Schedule {
  const call = /^(rate|cron)\((.*)\)$/.exec(expression.trim());
  if (!call) throw invalid('expected rate(value unit) or cron(minutes hours day-of-month month day-of-week year)');
  const args = call[2].trim().split(/\s+/);
  return call[1] === 'rate' ? parseRate(args) : parseCron(args);
}

/**
 * When the next rotation window opens, strictly after `after`. For `rate(N days)` `after` is
 * the last rotation: the window opens at midnight N days after that day. Hourly rates open
 * at midnight and every N hours after it, restarting each day like cron hour increments.
 */
export function nextOccurrence(schedule: Schedule, after: Date | number): Date {
  const from = typeof after === 'number' ? after : after.getTime();
  if (!Number.isFinite(from)) throw new RangeError('nextOccurrence needs a valid time');
  if (schedule.kind === 'rate' && schedule.unit === 'days') {
    return new Date(Math.floor(from / DAY_MS) * DAY_MS + schedule.value * DAY_MS);
  }
  return new Date(nextCronTime(schedule.kind === 'cron' ? schedule : everyDayAt(rateHours(schedule.value)), from));
}

/** Hours of the day at which the schedule's windows open. */
export function windowStartHours(schedule: Schedule): readonly number[] {
  if (schedule.kind === 'cron') return schedule.hours;
  return schedule.unit === 'hours' ? rateHours(schedule.value) : [0];
}

function invalid(detail: string): RotationScheduleError {
  return new RotationScheduleError(INVALID_SCHEDULE_EXPRESSION, detail);
}

// ---- rate() ----

function parseRate(args: string[]): RateSchedule {
  if (args.length !== 2 || !/^\d+$/.test(args[0])) {
    throw invalid('a rate expression is rate(value unit) with a whole number value, for example rate(10 days)');
  }
  const value = Number(args[0]);
  const unit = args[1];
  if (unit === 'hour' || unit === 'hours') {
    if (value < MIN_RATE_HOURS || value > MAX_RATE_HOURS) throw new RotationScheduleError(RATE_IN_HOURS_MESSAGE);
    return { kind: 'rate', unit: 'hours', value };
  }
  if (unit === 'day' || unit === 'days') {
    if (value < 1 || value > MAX_RATE_DAYS) throw new RotationScheduleError(RATE_IN_DAYS_MESSAGE);
    return { kind: 'rate', unit: 'days', value };
  }
  throw invalid(`the unit of a rate must be hour, hours, day or days, not "${unit}"`);
}

function rateHours(every: number): number[] {
  const hours: number[] = [];
  for (let h = 0; h < 24; h += every) hours.push(h);
  return hours;
}

// ---- cron() ----

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  /** Names for min, min+1, … (JAN… or SUN…). */
  names?: readonly string[];
}

const HOURS: FieldSpec = { name: 'hours', min: 0, max: 23 };
const DAY_OF_MONTH: FieldSpec = { name: 'day-of-month', min: 1, max: 31 };
const MONTH: FieldSpec = {
  name: 'month',
  min: 1,
  max: 12,
  names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
};
const DAY_OF_WEEK: FieldSpec = { name: 'day-of-week', min: 1, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] };
const SATURDAY = 7;
/** February may have 29 days, so a day-of-month rule is impossible only past these lengths. */
const LONGEST_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function parseCron(fields: string[]): CronSchedule {
  if (fields.length !== 6) {
    throw invalid(`a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), not ${fields.length}`);
  }
  const [minutes, hourField, dayOfMonth, monthField, dayOfWeek, year] = fields;
  if (!/^0+$/.test(minutes)) throw invalid('the minutes field must be 0: rotation windows open on the hour');
  if (year !== '*') throw invalid('the year field must be *');

  const hours = [...parseSet(hourField, HOURS)].sort((a, b) => a - b);
  for (let i = 1; i < hours.length; i++) {
    if (hours[i] - hours[i - 1] < MIN_HOURS_BETWEEN_ROTATIONS) {
      throw invalid(`rotations must be at least ${MIN_HOURS_BETWEEN_ROTATIONS} hours apart (hours ${hours[i - 1]} and ${hours[i]})`);
    }
  }
  const months = parseSet(monthField, MONTH);

  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    throw invalid('exactly one of day-of-month and day-of-week must be ?');
  }
  const days = dayOfMonth === '?' ? parseDayOfWeek(dayOfWeek) : parseDayOfMonth(dayOfMonth);
  if (days.kind === 'days-of-month' && ![...months].some((m) => [...days.days].some((d) => d <= LONGEST_MONTH[m - 1]))) {
    throw invalid('no selected month has any of the selected days');
  }
  return { kind: 'cron', hours, months, days };
}

function parseDayOfMonth(field: string): DayRule {
  if (field.toUpperCase() === 'L') return { kind: 'last-day-of-month' };
  if (/W/i.test(field)) throw invalid('Secrets Manager does not support W in day-of-month');
  return { kind: 'days-of-month', days: parseSet(field, DAY_OF_MONTH) };
}

function parseDayOfWeek(field: string): DayRule {
  const upper = field.toUpperCase();
  if (upper === 'L') return { kind: 'days-of-week', weekdays: new Set([SATURDAY]) };
  const nth = /^(\w+)#(\w*)$/.exec(upper);
  if (nth) {
    if (!/^[1-5]$/.test(nth[2])) throw invalid(`in ${field}, the number after # must be 1 to 5`);
    return { kind: 'nth-weekday', weekday: parseValue(nth[1], DAY_OF_WEEK), nth: Number(nth[2]) };
  }
  const last = /^(\w+)L$/.exec(upper);
  if (last) return { kind: 'last-weekday', weekday: parseValue(last[1], DAY_OF_WEEK) };
  if (/[#L]/.test(upper.replace(/[A-Z]{3}/g, ''))) {
    throw invalid(`in ${field}, L and # can only be used alone in day-of-week (for example 6L or 2#1)`);
  }
  return { kind: 'days-of-week', weekdays: parseSet(field, DAY_OF_WEEK) };
}

/** A list of `*`, values, ranges `a-b` and increments `a/n`, `a-b/n`, `* /n`. */
function parseSet(field: string, spec: FieldSpec): Set<number> {
  const values = new Set<number>();
  for (const item of field.split(',')) {
    const [range, step, extra] = item.split('/');
    if (extra !== undefined) throw invalid(`"${item}" in ${spec.name} has more than one /`);
    const increment = step === undefined ? 1 : parseIncrement(step, spec);
    let [low, high] = [spec.min, spec.max];
    if (range !== '*') {
      const bounds = range.split('-');
      if (bounds.length > 2) throw invalid(`"${item}" is not a valid ${spec.name} range`);
      low = parseValue(bounds[0], spec);
      // A single start value with an increment runs to the end of the field.
      high = bounds.length === 2 ? parseValue(bounds[1], spec) : step === undefined ? low : spec.max;
      if (low > high) throw invalid(`the range ${range} in ${spec.name} runs backwards`);
    }
    for (let v = low; v <= high; v += increment) values.add(v);
  }
  return values;
}

function parseIncrement(text: string, spec: FieldSpec): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= spec.max)) throw invalid(`the increment /${text} in ${spec.name} must be between 1 and ${spec.max}`);
  return n;
}

function parseValue(text: string, spec: FieldSpec): number {
  let value = NaN;
  if (/^\d+$/.test(text)) value = Number(text);
  else if (spec.names) {
    const index = spec.names.indexOf(text.toUpperCase());
    if (index >= 0) value = spec.min + index;
  }
  if (!(value >= spec.min && value <= spec.max)) {
    const named = spec.names ? ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : '';
    throw invalid(`"${text}" is not a valid ${spec.name} value (${spec.min}-${spec.max}${named})`);
  }
  return value;
}

// ---- next occurrence ----

const ALL_MONTHS: ReadonlySet<number> = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
const ALL_WEEKDAYS: ReadonlySet<number> = new Set([1, 2, 3, 4, 5, 6, 7]);

function everyDayAt(hours: readonly number[]): CronSchedule {
  return { kind: 'cron', hours, months: ALL_MONTHS, days: { kind: 'days-of-week', weekdays: ALL_WEEKDAYS } };
}

/**
 * Every valid schedule fires within one 400-year Gregorian cycle (the rarest, a fifth
 * weekday of February, recurs within a few decades), so the month walk is bounded.
 */
const MONTHS_SEARCHED = 400 * 12;

function nextCronTime(schedule: CronSchedule, after: number): number {
  const first = new Date(Math.floor(after / HOUR_MS) * HOUR_MS + HOUR_MS);
  let year = first.getUTCFullYear();
  let month = first.getUTCMonth() + 1;
  let day = first.getUTCDate();
  let hour = first.getUTCHours();
  for (let i = 0; i < MONTHS_SEARCHED; i++) {
    if (schedule.months.has(month)) {
      for (const d of matchingDays(schedule.days, year, month)) {
        if (d < day) continue;
        const h = d === day ? schedule.hours.find((x) => x >= hour) : schedule.hours[0];
        if (h !== undefined) return Date.UTC(year, month - 1, d, h);
      }
    }
    [year, month, day, hour] = month === 12 ? [year + 1, 1, 1, 0] : [year, month + 1, 1, 0];
  }
  throw new Error('schedule has no occurrence');
}

/** Ascending days of `month` (1–12) that the rule selects. */
function matchingDays(rule: DayRule, year: number, month: number): number[] {
  const length = daysInMonth(year, month);
  const weekdayOfFirst = weekday(year, month, 1);
  const weekdayOf = (d: number) => ((weekdayOfFirst - 1 + d - 1) % 7) + 1;
  const firstOnWeekday = (w: number) => 1 + ((w - weekdayOfFirst + 7) % 7);
  switch (rule.kind) {
    case 'days-of-month':
      return [...rule.days].filter((d) => d <= length).sort((a, b) => a - b);
    case 'last-day-of-month':
      return [length];
    case 'days-of-week': {
      const days: number[] = [];
      for (let d = 1; d <= length; d++) if (rule.weekdays.has(weekdayOf(d))) days.push(d);
      return days;
    }
    case 'last-weekday':
      return [length - ((weekdayOf(length) - rule.weekday + 7) % 7)];
    case 'nth-weekday': {
      const d = firstOnWeekday(rule.weekday) + 7 * (rule.nth - 1);
      return d <= length ? [d] : [];
    }
  }
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 1 = Sunday … 7 = Saturday. */
function weekday(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}
