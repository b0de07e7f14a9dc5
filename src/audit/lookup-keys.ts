import type { AuditRecord } from './cloudtrail-record.js';

/**
 * What LookupEvents filters on, taken from a record by the writer that
 * chains it (which parses it anyway), in the order of the audit_entries
 * columns. Absent values are null.
 */
export type LookupKeys = [
  eventId: string,
  eventTime: number,
  eventName: string,
  eventSource: string,
  readOnly: boolean,
  username: string | null,
  accessKeyId: string | null,
  resourceName: string | null,
  resourceType: string | null,
];

export function lookupKeysOf(r: AuditRecord): LookupKeys {
  const resource = r.resources?.[0];
  return [
    r.eventID,
    Date.parse(r.eventTime),
    r.eventName,
    r.eventSource,
    r.readOnly,
    userName(r) ?? null,
    r.userIdentity.accessKeyId || null,
    resource?.ARN ?? null,
    resource?.type ?? null,
  ];
}

/** LookupEvents' Username: the user or role session name, or "root". */
function userName(record: AuditRecord): string | undefined {
  const identity = record.userIdentity;
  if (identity.userName) return identity.userName;
  if (identity.type === 'Root') return 'root';
  return identity.arn?.split('/').pop();
}
