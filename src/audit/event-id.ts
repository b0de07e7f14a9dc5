import { randomUUID } from 'node:crypto';

/**
 * A fresh event ID: a version 7 UUID (RFC 9562), whose first 48 bits are the
 * time in milliseconds and the rest random (74 bits). Being ordered by time,
 * new IDs land at the end of the audit database's event ID index instead of
 * on a random page of it, which would cost a page write per record.
 */
export function newEventId(time: number): string {
  const random = randomUUID();
  const stamp = Math.max(0, Math.floor(time)).toString(16).padStart(12, '0').slice(-12);
  // randomUUID's "xxxxxxxx-xxxx-4xxx-...": keep its random tail, set the time and version 7.
  return `${stamp.slice(0, 8)}-${stamp.slice(8)}-7${random.slice(15)}`;
}
