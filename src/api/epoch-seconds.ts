/**
 * A timestamp as handlers answer it: epoch seconds, fractional allowed. JSON 1.1 carries
 * it so; the query protocol's XML writer formats it as ISO 8601.
 */
export function seconds(ms: number): number;
export function seconds(ms: number | undefined): number | undefined;
export function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}
