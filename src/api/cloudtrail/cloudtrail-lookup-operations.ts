import type { Handlers } from '../operation.js';
import { seconds } from '../epoch-seconds.js';
import type { CloudTrailApiDeps } from './cloudtrail-deps.js';
import { lookupPage, type FoundEvent } from './lookup-page.js';
import { parseLookupRequest } from './lookup-query.js';
import { decodeToken, encodeToken } from './lookup-token.js';
import type { Event, Operations } from './types.generated.js';

/** LookupEvents over the audit log: management events of the caller's region, newest first. */
export function lookupOperations({ audit }: CloudTrailApiDeps): Handlers<Operations> {
  return {
    LookupEvents: async (ctx, input) => {
      const { filter, limit, nextToken } = parseLookupRequest(input);
      const after = nextToken === undefined ? undefined : decodeToken(nextToken, filter);
      if (filter.insightsOnly) return { Events: [] };
      const page = await lookupPage(audit, filter, ctx.scope.region, limit, after);
      return {
        Events: page.events.map(toEvent),
        ...(page.next ? { NextToken: encodeToken(page.next, filter) } : {}),
      };
    },
  };
}

/** The API's Event: the lookup columns, the resources and the record itself as JSON text. */
function toEvent({ entry, record }: FoundEvent): Event {
  return {
    EventId: entry.eventId,
    EventName: entry.eventName,
    ReadOnly: String(entry.readOnly),
    ...(entry.accessKeyId === undefined ? {} : { AccessKeyId: entry.accessKeyId }),
    EventTime: seconds(entry.eventTime),
    EventSource: entry.eventSource,
    ...(entry.username === undefined ? {} : { Username: entry.username }),
    Resources: (record.resources ?? []).map((r) => ({ ResourceType: r.type, ResourceName: r.ARN })),
    CloudTrailEvent: entry.recordJson,
  };
}
