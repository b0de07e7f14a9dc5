/**
 * `2025-05-20T20:45:00Z`: a time to the second, as CloudTrail's eventTime and
 * IAM's aws:CurrentTime write it (toISOString without its milliseconds). Every
 * request writes it, for its audit record and its policy decisions, and the
 * requests of one second share one string.
 */
export function utcSeconds(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== last.second) {
    // toISOString always ends in ".sssZ" for the years a request can carry.
    last = { second, text: `${new Date(ms).toISOString().slice(0, 19)}Z` };
  }
  return last.text;
}

let last = { second: NaN, text: '' };
