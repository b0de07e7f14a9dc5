import { newEventId } from './event-id.js';
import { redactParameters, type Parameters } from './parameter-redaction.js';

export { redactParameters, type Parameters } from './parameter-redaction.js';

/** CloudTrail's record format version that these records follow. */
export const EVENT_VERSION = '1.08';

export type IdentityType =
  | 'Root'
  | 'IAMUser'
  | 'AssumedRole'
  | 'FederatedUser'
  | 'AWSAccount'
  | 'AWSService'
  | 'Unknown';

/** Who made the call, as CloudTrail's `userIdentity` element describes it. */
export interface UserIdentity {
  type: IdentityType;
  principalId?: string;
  arn?: string;
  accountId: string;
  accessKeyId?: string;
  userName?: string;
  /** Set for `AWSService` identities, e.g. `secretsmanager.amazonaws.com` calling KMS. */
  invokedBy?: string;
  sessionContext?: {
    sessionIssuer?: { type: string; principalId: string; arn: string; accountId: string; userName: string };
    attributes?: { creationDate: string; mfaAuthenticated: string };
  };
}

export type EventType = 'AwsApiCall' | 'AwsServiceEvent';

/** One audit record, in CloudTrail's format. Only JSON values: it is hashed as canonical JSON. */
export interface AuditRecord {
  eventVersion: typeof EVENT_VERSION;
  userIdentity: UserIdentity;
  /** ISO 8601 UTC to the second, `2025-05-20T20:45:00Z`, as CloudTrail writes it. */
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: Parameters | null;
  responseElements: Parameters | null;
  requestID: string;
  eventID: string;
  readOnly: boolean;
  eventType: EventType;
  recipientAccountId: string;
  /** What the call acted on, as CloudTrail lists it (what LookupEvents' ResourceName matches). */
  resources?: AuditResource[];
}

export interface AuditResource {
  ARN: string;
  accountId: string;
  type: string;
}

export interface RecordInput {
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  userIdentity: UserIdentity;
  /** Raw request parameters: redacted here, never by the caller. */
  requestParameters?: unknown;
  /** Raw response elements: redacted here, never by the caller. */
  responseElements?: unknown;
  error?: { code: string; message?: string };
  requestID: string;
  readOnly: boolean;
  eventType?: EventType;
  /** Defaults to the caller's account. */
  recipientAccountId?: string;
  /** Defaults to now. */
  time?: Date;
  /** Defaults to a fresh time-ordered UUID (see event-id.ts). */
  eventID?: string;
  resources?: AuditResource[];
}

/** Builds a record, redacting parameters and response elements on the way in. */
export function buildRecord(input: RecordInput): AuditRecord {
  const { eventSource, eventName } = input;
  const time = input.time ?? new Date();
  const record: AuditRecord = {
    eventVersion: EVENT_VERSION,
    userIdentity: input.userIdentity,
    eventTime: formatEventTime(time),
    eventSource,
    eventName,
    awsRegion: input.awsRegion,
    sourceIPAddress: input.sourceIPAddress,
    userAgent: input.userAgent,
    requestParameters: redactParameters(eventSource, eventName, input.requestParameters),
    responseElements: redactParameters(eventSource, eventName, input.responseElements),
    requestID: input.requestID,
    eventID: input.eventID ?? newEventId(time.getTime()),
    readOnly: input.readOnly,
    eventType: input.eventType ?? 'AwsApiCall',
    recipientAccountId: input.recipientAccountId ?? input.userIdentity.accountId,
  };
  if (input.resources?.length) record.resources = input.resources;
  if (input.error) {
    record.errorCode = input.error.code;
    if (input.error.message !== undefined) record.errorMessage = input.error.message;
  }
  return record;
}

/** `2025-05-20T20:45:00Z`: CloudTrail drops the milliseconds that toISOString keeps. */
export function formatEventTime(time: Date): string {
  // toISOString always ends in ".sssZ" for the years a record can carry.
  return `${time.toISOString().slice(0, 19)}Z`;
}
