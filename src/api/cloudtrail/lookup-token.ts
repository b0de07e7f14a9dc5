import { createHash } from 'node:crypto';
import { CloudTrailErrors } from './cloudtrail-errors.js';
import type { LookupFilter } from './lookup-query.js';

/** Where a page ended: the last entry returned (or examined), in newest-first order. */
export interface Position {
  time: number;
  sequence: number;
}

/**
 * LookupEvents' NextToken: opaque to clients; here the base64url of the
 * position and a fingerprint of the filter, because AWS rejects a token
 * presented with parameters other than those of the call that returned it.
 */
export function encodeToken(position: Position, filter: LookupFilter): string {
  return Buffer.from(JSON.stringify({ t: position.time, s: position.sequence, f: fingerprint(filter) })).toString('base64url');
}

export function decodeToken(token: string, filter: LookupFilter): Position {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString());
  } catch {
    throw CloudTrailErrors.invalidNextToken();
  }
  const { t, s, f } = (parsed ?? {}) as { t?: unknown; s?: unknown; f?: unknown };
  if (!Number.isSafeInteger(t) || !Number.isSafeInteger(s) || (s as number) < 1 || f !== fingerprint(filter)) {
    throw CloudTrailErrors.invalidNextToken();
  }
  const position = { time: t as number, sequence: s as number };
  // Anything but the exact encoding (or a time outside the filter) was not made here.
  if (encodeToken(position, filter) !== token || !withinRange(position.time, filter)) throw CloudTrailErrors.invalidNextToken();
  return position;
}

function fingerprint(filter: LookupFilter): string {
  const { attribute, startTime, endTime, insightsOnly } = filter;
  const parameters = JSON.stringify([attribute?.key ?? null, attribute?.value ?? null, startTime ?? null, endTime ?? null, insightsOnly]);
  return createHash('sha256').update(parameters).digest('base64url').slice(0, 16);
}

function withinRange(time: number, { startTime, endTime }: LookupFilter): boolean {
  return (startTime === undefined || time >= startTime) && (endTime === undefined || time <= endTime);
}
