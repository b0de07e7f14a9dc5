import { newEventId } from './event-id.js';
import { redactParameters, type Parameters } from './parameter-redaction.js';
import { utcSeconds } from '../shared/utc-seconds.js';

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

/**
 * A request that changes something has two records with its requestID: its
 * `request`, durable before it acts, and its `outcome` (what a single record
 * holds), written after. Reads and requests refused before acting have one
 * record, without a phase.
 */
export type AuditPhase = 'request' | 'outcome';

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
  additionalEventData?: { auditPhase: AuditPhase };
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
  auditPhase?: AuditPhase;
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
    userAgent: truncated(input.userAgent),
    requestParameters: bounded(redactParameters(eventSource, eventName, input.requestParameters)),
    responseElements: bounded(redactParameters(eventSource, eventName, input.responseElements)),
    requestID: input.requestID,
    eventID: input.eventID ?? newEventId(time.getTime()),
    readOnly: input.readOnly,
    eventType: input.eventType ?? 'AwsApiCall',
    recipientAccountId: input.recipientAccountId ?? input.userIdentity.accountId,
  };
  // An id from a request that failed validation can be of any length; no real ARN is over 2,048.
  const resources = input.resources?.filter((resource) => resource.ARN.length <= MAX_ARN_CHARS);
  if (resources?.length) record.resources = resources;
  if (input.auditPhase) record.additionalEventData = { auditPhase: input.auditPhase };
  if (input.error) {
    record.errorCode = input.error.code;
    if (input.error.message !== undefined) record.errorMessage = truncated(input.error.message);
  }
  return record;
}

/**
 * CloudTrail's field limit: a larger `requestParameters` or
 * `responseElements` is replaced by `{"omitted": true}`, so that no request,
 * however large its input, makes a record of unbounded size.
 */
export const MAX_FIELD_BYTES = 100 * 1024;
/** Free-text fields (user agent, error message) are cut to this many characters. */
export const MAX_TEXT_CHARS = 4 * 1024;
const MAX_ARN_CHARS = 2048;

function bounded(parameters: Parameters | null): Parameters | null {
  if (parameters === null || surelyWithin(parameters, MAX_FIELD_BYTES)) return parameters;
  return Buffer.byteLength(JSON.stringify(parameters)) > MAX_FIELD_BYTES ? { omitted: true } : parameters;
}

/**
 * Whether a value's JSON is surely no longer than `bytes`, from a bound
 * counted without serializing it (most records hold a few short fields): each
 * string character as the 6 bytes of its longest escape, each other member as
 * its key and 32 bytes. Undecided past the bound.
 */
function surelyWithin(value: unknown, bytes: number): boolean {
  let budget = bytes;
  const fits = (item: unknown): boolean => {
    if (typeof item === 'string') return (budget -= 6 * item.length + 2) >= 0;
    if (item === null || typeof item !== 'object') return (budget -= 32) >= 0;
    for (const key in item) if ((budget -= 6 * key.length + 4) < 0 || !fits((item as Record<string, unknown>)[key])) return false;
    return (budget -= 2) >= 0;
  };
  return fits(value);
}

function truncated(text: string): string {
  return text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) : text;
}

/** `2025-05-20T20:45:00Z`: CloudTrail drops the milliseconds that toISOString keeps. */
export function formatEventTime(time: Date): string {
  return utcSeconds(time.getTime());
}

/** The error code of the outcome recorded for a request that a stop (a crash, a kill) interrupted between its two records. */
export const OUTCOME_UNKNOWN = 'OutcomeUnknown';

/**
 * The outcome record of a request whose outcome was never recorded: its
 * request record with the phase, a new event ID and an error saying that the
 * change may or may not have been made.
 */
export function unknownOutcome(request: AuditRecord): AuditRecord {
  return {
    ...request,
    eventID: newEventId(Date.parse(request.eventTime)),
    additionalEventData: { auditPhase: 'outcome' },
    errorCode: OUTCOME_UNKNOWN,
    errorMessage: 'Coffer stopped before it recorded the outcome of this request: the change it asked for may or may not have been made.',
  };
}
