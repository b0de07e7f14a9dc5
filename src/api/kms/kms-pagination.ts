import { ServiceError } from '../../errors/service-error.js';
import { KmsErrors } from '../../keys/kms-errors.js';

/**
 * KMS list pagination: `Marker` is opaque to clients; here it is the base64url
 * of the position after which the next page starts (an id, a name or an index).
 */
export function encodeMarker(position: string): string {
  return Buffer.from(position).toString('base64url');
}

export function decodeMarker(marker: string | undefined): string | undefined {
  if (marker === undefined) return undefined;
  const position = Buffer.from(marker, 'base64url').toString();
  if (!position || encodeMarker(position) !== marker) throw invalidMarker();
  return position;
}

function invalidMarker(): ServiceError {
  return new ServiceError(
    'InvalidMarkerException',
    'The request was rejected because the marker that specifies where pagination should next begin is not valid.',
    { messageKey: 'message' },
  );
}

/** One page from a fetch of `limit + 1` rows: the extra row only says that there is more. */
export function pageOf<T>(rows: T[], limit: number, position: (row: T) => string): { items: T[]; Truncated: boolean; NextMarker?: string } {
  if (rows.length <= limit) return { items: rows, Truncated: false };
  const items = rows.slice(0, limit);
  return { items, Truncated: true, NextMarker: encodeMarker(position(items[items.length - 1]!)) };
}

/** A page of an in-memory list, the marker being the index to start at. */
export function pageOfList<T>(all: T[], marker: string | undefined, limit: number): { items: T[]; Truncated: boolean; NextMarker?: string } {
  const start = Number(decodeMarker(marker) ?? 0);
  if (!Number.isInteger(start) || start < 0) throw invalidMarker();
  const items = all.slice(start, start + limit);
  const next = start + items.length;
  return next < all.length ? { items, Truncated: true, NextMarker: encodeMarker(String(next)) } : { items, Truncated: false };
}

/** A list's Limit: its default when absent; some operations document a maximum below the model's 1000. */
export function listLimit(limit: number | undefined, defaultLimit: number, max: number): number {
  const value = limit ?? defaultLimit;
  if (value > max) {
    throw KmsErrors.validation(
      `1 validation error detected: Value '${value}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to ${max}`,
    );
  }
  return value;
}
