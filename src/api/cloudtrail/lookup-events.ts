import type { AuditReader } from '../../audit/audit-log.js';
import type { OperationHandler } from '../operation.js';
import { lookupPage, type FoundEvent } from './lookup-page.js';
import { parseLookupRequest } from './lookup-query.js';
import { decodeToken, encodeToken } from './lookup-token.js';

export interface CloudTrailApiDeps {
  audit: AuditReader;
}

/** LookupEvents over the audit log: management events of the caller's region, newest first. */
export function lookupEvents({ audit }: CloudTrailApiDeps): OperationHandler {
  return async (ctx, input) => {
    const { filter, limit, nextToken } = parseLookupRequest(input);
    const after = nextToken === undefined ? undefined : decodeToken(nextToken, filter);
    if (filter.insightsOnly) return { Events: [] };
    const page = await lookupPage(audit, filter, ctx.scope.region, limit, after);
    return {
      Events: page.events.map(toEvent),
      ...(page.next ? { NextToken: encodeToken(page.next, filter) } : {}),
    };
  };
}

/** The API's Event: the lookup columns, the resources and the record itself as JSON text. */
function toEvent({ entry, record }: FoundEvent): object {
  return {
    EventId: entry.eventId,
    EventName: entry.eventName,
    ReadOnly: String(entry.readOnly),
    ...(entry.accessKeyId === undefined ? {} : { AccessKeyId: entry.accessKeyId }),
    EventTime: entry.eventTime / 1000,
    EventSource: entry.eventSource,
    ...(entry.username === undefined ? {} : { Username: entry.username }),
    Resources: (record.resources ?? []).map((r) => ({ ResourceType: r.type, ResourceName: r.ARN })),
    CloudTrailEvent: entry.recordJson,
  };
}
