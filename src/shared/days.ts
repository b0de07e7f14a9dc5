export const DAY_MS = 24 * 60 * 60 * 1000;

/** The start (epoch milliseconds) of the UTC day `time` falls in. */
export function startOfUtcDay(time: number): number {
  return time - (time % DAY_MS);
}
