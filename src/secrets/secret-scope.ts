/** Who and where a request runs: the account and region (from the SigV4 scope) and the clock. */
export interface RequestScope {
  account: string;
  region: string;
  partition: string;
  /** Epoch milliseconds of the request. */
  now: number;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

export function startOfUtcDay(time: number): number {
  return time - (time % DAY_MS);
}
