import type { AuditLookupKey } from '../../storage/index.js';
import { CloudTrailErrors } from './cloudtrail-errors.js';
import type { LookupEventsRequest } from './types.generated.js';

/** What a LookupEvents call selects, in the units the audit repository uses. */
export interface LookupFilter {
  attribute?: { key: AuditLookupKey; value: string };
  /** Epoch milliseconds, inclusive. */
  startTime?: number;
  endTime?: number;
  /** EventCategory `insight`: Insights events only, of which Coffer records none. */
  insightsOnly: boolean;
}

export interface LookupRequest {
  filter: LookupFilter;
  limit: number;
  nextToken?: string;
}

const DEFAULT_MAX_RESULTS = 50;
const MAX_MAX_RESULTS = 50;

/** A validated LookupEvents input (the model has checked types, enums and lengths) as a filter and page size. */
export function parseLookupRequest(input: LookupEventsRequest): LookupRequest {
  const attributes = input.LookupAttributes ?? [];
  // AWS: "Currently the list can contain only one item."
  if (attributes.length > 1) throw CloudTrailErrors.invalidLookupAttributes('Only one lookup attribute can be specified.');
  const [attribute] = attributes;
  if (attribute?.AttributeKey === 'ReadOnly' && attribute.AttributeValue !== 'true' && attribute.AttributeValue !== 'false') {
    throw CloudTrailErrors.invalidLookupAttributes("The ReadOnly lookup attribute takes the value 'true' or 'false'.");
  }
  const startTime = epochMs(input.StartTime);
  const endTime = epochMs(input.EndTime);
  if (startTime !== undefined && endTime !== undefined && startTime > endTime) throw CloudTrailErrors.invalidTimeRange();
  const limit = input.MaxResults ?? DEFAULT_MAX_RESULTS;
  if (limit < 1 || limit > MAX_MAX_RESULTS) throw CloudTrailErrors.invalidMaxResults();
  return {
    filter: {
      ...(attribute ? { attribute: { key: attribute.AttributeKey, value: attribute.AttributeValue } } : {}),
      ...(startTime === undefined ? {} : { startTime }),
      ...(endTime === undefined ? {} : { endTime }),
      insightsOnly: input.EventCategory === 'insight',
    },
    limit,
    ...(input.NextToken === undefined ? {} : { nextToken: input.NextToken }),
  };
}

/** JSON 1.1 timestamps are epoch seconds, possibly fractional. */
function epochMs(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : Math.round(seconds * 1000);
}
