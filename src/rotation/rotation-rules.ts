/**
 * RotationRules (behaviour reference §7.4): the schedule, the rotation window it opens and
 * the NextRotationDate AWS reports. Pure: the caller supplies the time and the random source.
 */
import {
  RotationScheduleError,
  nextOccurrence,
  parseScheduleExpression,
  windowStartHours,
  type Schedule,
} from './schedule-expression.js';

/** The RotationRules member of RotateSecret, as the model defines it. */
export interface RotationRules {
  AutomaticallyAfterDays?: number;
  ScheduleExpression?: string;
  Duration?: string;
}

export interface RotationPlan {
  /** `AutomaticallyAfterDays: N` is the schedule `rate(N days)`. */
  readonly schedule: Schedule;
  /** Length of each rotation window, `Duration` or its default. */
  readonly windowHours: number;
}

export interface RotationWindow {
  readonly start: Date;
  /** Exclusive: rotation happens before this instant. */
  readonly end: Date;
}

export const MIN_AUTOMATICALLY_AFTER_DAYS = 1;
export const MAX_AUTOMATICALLY_AFTER_DAYS = 1000;
export const MIN_WINDOW_HOURS = 1;
export const MAX_WINDOW_HOURS = 24;

export const BOTH_SCHEDULES_MESSAGE = 'You cannot specify both rotation frequency and schedule expression together.';
export const NO_SCHEDULE_MESSAGE = 'You must specify either AutomaticallyAfterDays or ScheduleExpression in RotationRules.';
export const AUTOMATICALLY_AFTER_DAYS_MESSAGE = `AutomaticallyAfterDays must be a whole number of days between ${MIN_AUTOMATICALLY_AFTER_DAYS} and ${MAX_AUTOMATICALLY_AFTER_DAYS}.`;
export const DURATION_FORMAT_MESSAGE = 'Duration must be a number of hours followed by h, for example 3h.';
export const DURATION_RANGE_MESSAGE = 'Duration must be at least 1 hour, at most 24 hour.';
export const DURATION_OVER_RATE_MESSAGE = 'Duration cannot be greater than Rate in hour.';
export const WINDOW_PAST_MIDNIGHT_MESSAGE = 'Starting hour and duration must be within a day.';
export const WINDOW_OVERLAP_MESSAGE = 'The rotation window must not extend into the next rotation window.';

const HOUR_MS = 3_600_000;
/** AWS reports the last second inside the window, e.g. 23:59:59 for a window closing at midnight. */
const REPORTED_BEFORE_END_MS = 1000;

/** Validates RotationRules and resolves the window length. Throws RotationScheduleError. */
export function parseRotationRules(rules: RotationRules): RotationPlan {
  const days = rules.AutomaticallyAfterDays;
  const expression = rules.ScheduleExpression;
  if (days !== undefined && expression !== undefined) throw new RotationScheduleError(BOTH_SCHEDULES_MESSAGE);
  let schedule: Schedule;
  if (expression !== undefined) {
    schedule = parseScheduleExpression(expression);
  } else if (days !== undefined) {
    if (!Number.isInteger(days) || days < MIN_AUTOMATICALLY_AFTER_DAYS || days > MAX_AUTOMATICALLY_AFTER_DAYS) {
      throw new RotationScheduleError(AUTOMATICALLY_AFTER_DAYS_MESSAGE);
    }
    schedule = { kind: 'rate', unit: 'days', value: days };
  } else {
    throw new RotationScheduleError(NO_SCHEDULE_MESSAGE);
  }
  const windowHours = rules.Duration === undefined ? defaultWindowHours(schedule) : parseDuration(rules.Duration);
  checkWindowFits(schedule, windowHours);
  return { schedule, windowHours };
}

/** `Nh` → N, for 1 ≤ N ≤ 24. */
export function parseDuration(duration: string): number {
  if (!/^\d+h$/.test(duration)) throw new RotationScheduleError(DURATION_FORMAT_MESSAGE);
  const hours = Number(duration.slice(0, -1));
  if (hours < MIN_WINDOW_HOURS || hours > MAX_WINDOW_HOURS) throw new RotationScheduleError(DURATION_RANGE_MESSAGE);
  return hours;
}

/** The first window that opens strictly after `after` (for day rates: after the last rotation). */
export function nextRotationWindow(plan: RotationPlan, after: Date | number): RotationWindow {
  const start = nextOccurrence(plan.schedule, after);
  return { start, end: new Date(start.getTime() + plan.windowHours * HOUR_MS) };
}

/** NextRotationDate as DescribeSecret reports it: the latest time the next rotation happens. */
export function nextRotationDate(plan: RotationPlan, after: Date | number): Date {
  return new Date(nextRotationWindow(plan, after).end.getTime() - REPORTED_BEFORE_END_MS);
}

/** A uniformly random instant in [start, end); `random` returns values in [0, 1) like Math.random. */
export function randomTimeInWindow(window: RotationWindow, random: () => number = Math.random): Date {
  const span = window.end.getTime() - window.start.getTime();
  return new Date(window.start.getTime() + Math.min(span - 1, Math.floor(random() * span)));
}

/** Schedules in hours close after one hour by default; schedules in days at the end of the UTC day. */
function defaultWindowHours(schedule: Schedule): number {
  const starts = windowStartHours(schedule);
  if (isHourly(schedule, starts)) return 1;
  return 24 - starts[0];
}

function isHourly(schedule: Schedule, starts: readonly number[]): boolean {
  return schedule.kind === 'rate' ? schedule.unit === 'hours' : starts.length > 1;
}

function checkWindowFits(schedule: Schedule, windowHours: number): void {
  if (schedule.kind === 'rate' && schedule.unit === 'hours') {
    if (windowHours > schedule.value) throw new RotationScheduleError(DURATION_OVER_RATE_MESSAGE);
    return;
  }
  const starts = windowStartHours(schedule);
  for (let i = 1; i < starts.length; i++) {
    if (starts[i - 1] + windowHours > starts[i]) throw new RotationScheduleError(WINDOW_OVERLAP_MESSAGE);
  }
  if (starts[starts.length - 1] + windowHours > 24) throw new RotationScheduleError(WINDOW_PAST_MIDNIGHT_MESSAGE);
}
