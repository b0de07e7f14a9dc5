import type { LogFn, Logger } from 'pino';

/** Warnings and errors with the same message are written once per window. */
export const REPEAT_WINDOW_MS = 10_000;
const WARN_LEVEL = 40;
/** Messages are a small fixed set; the bound only guards against one built from input. */
const MAX_TRACKED = 1_000;

/**
 * A pino `logMethod` hook: a failure that every request meets (a full disk, a
 * failed audit sink) is logged once per window, and the next line after the
 * window says how many were left out, instead of a line per request.
 */
export function repeatLimiter(clock: () => number = Date.now) {
  const seen = new Map<string, { until: number; repeated: number }>();
  return function logMethod(this: Logger, args: Parameters<LogFn>, method: LogFn, level: number): void {
    if (level < WARN_LEVEL) return method.apply(this, args);
    const message = String(typeof args[0] === 'string' ? args[0] : args[1]);
    const now = clock();
    const last = seen.get(message);
    if (last && now < last.until) {
      last.repeated += 1;
      return;
    }
    if (seen.size >= MAX_TRACKED) seen.clear();
    seen.set(message, { until: now + REPEAT_WINDOW_MS, repeated: 0 });
    if (!last?.repeated) return method.apply(this, args);
    const [first, ...rest] = args as unknown[];
    const counted = typeof first === 'object' && first !== null ? [{ ...first, repeated: last.repeated }, ...rest] : [{ repeated: last.repeated }, first, ...rest];
    return method.apply(this, counted as Parameters<LogFn>);
  };
}
