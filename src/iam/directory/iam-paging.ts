import { IamErrors } from './iam-errors.js';

/** IAM's default MaxItems. */
export const DEFAULT_MAX_ITEMS = 100;

/** A page as IAM answers it: `IsTruncated`, and a `Marker` only when there is more. */
export interface IamPage<T> {
  items: T[];
  IsTruncated: boolean;
  Marker?: string;
}

/** The marker is the base64url of the last name served: lists are ordered by name, without regard to case. */
export function decodeMarker(marker: string | undefined): string | undefined {
  if (marker === undefined) return undefined;
  const name = Buffer.from(marker, 'base64url').toString();
  if (!name || Buffer.from(name).toString('base64url') !== marker) throw IamErrors.validation('Invalid Marker.');
  return name;
}

/** The page out of `limit + 1` rows read after the marker: the extra row only says there is more. */
export function pageOf<T>(rows: T[], limit: number, nameOf: (row: T) => string): IamPage<T> {
  if (rows.length <= limit) return { items: rows, IsTruncated: false };
  const items = rows.slice(0, limit);
  return { items, IsTruncated: true, Marker: Buffer.from(nameOf(items[items.length - 1]!)).toString('base64url') };
}

/** A page of a list held in memory, ordered by name. */
export function pageOfList<T>(all: T[], paging: { Marker?: string; MaxItems?: number }, nameOf: (row: T) => string): IamPage<T> {
  const after = decodeMarker(paging.Marker)?.toLowerCase();
  const sorted = [...all].sort((a, b) => compareNames(nameOf(a), nameOf(b)));
  const rest = after === undefined ? sorted : sorted.filter((row) => nameOf(row).toLowerCase() > after);
  const limit = paging.MaxItems ?? DEFAULT_MAX_ITEMS;
  return pageOf(rest.slice(0, limit + 1), limit, nameOf);
}

export function compareNames(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}
