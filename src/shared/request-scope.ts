/**
 * Where a call acts: the account, the region (from the SigV4 scope) and the
 * partition. Shared vocabulary of every layer: the API hands it down, the
 * domain and the keys act within it.
 */
export interface Scope {
  account: string;
  region: string;
  partition: string;
}

/** Where and when a request runs: its scope and the clock. */
export interface RequestScope extends Scope {
  /** Epoch milliseconds of the request. */
  now: number;
}
