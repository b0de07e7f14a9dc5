import { jsonCall } from './json-api';

export interface RotationFailure {
  /** Epoch seconds. */
  time: number;
  step?: string;
  reason: string;
  versionId?: string;
  /** The check RotateImmediately=false runs (testSecret on a copy of the value), not a rotation. */
  test: boolean;
}

interface LookupPage {
  Events: { EventTime: number; Resources?: { ResourceName?: string }[]; CloudTrailEvent: string }[];
  NextToken?: string;
}

/** How many pages of RotationFailed events (50 each, newest first) are searched for a secret's. */
const PAGES_SEARCHED = 4;

/**
 * The newest failed rotation of a secret, from the audit log as AWS exposes it: CloudTrail's
 * RotationFailed service event (LookupEvents, EventName=RotationFailed), naming the secret in its
 * resources, the step in its requestParameters and the reason in its errorMessage. Failures are
 * few beside reads, so looking up by event name and matching the ARN stays a page or two.
 */
export async function lastRotationFailure(secretArn: string): Promise<RotationFailure | undefined> {
  let token: string | undefined;
  for (let page = 0; page < PAGES_SEARCHED; page++) {
    const found = await jsonCall<LookupPage>('cloudtrail', 'LookupEvents', {
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'RotationFailed' }],
      MaxResults: 50,
      ...(token ? { NextToken: token } : {}),
    });
    const event = found.Events.find((e) => e.Resources?.some((r) => r.ResourceName === secretArn));
    if (event) {
      const record = JSON.parse(event.CloudTrailEvent) as { requestParameters?: { step?: string; versionId?: string; test?: boolean }; errorMessage?: string };
      const reason = record.errorMessage ?? '';
      return {
        time: event.EventTime,
        step: record.requestParameters?.step ?? /during (\w+) step/.exec(reason)?.[1],
        reason,
        versionId: record.requestParameters?.versionId,
        test: record.requestParameters?.test === true,
      };
    }
    token = found.NextToken;
    if (!token) return undefined;
  }
  return undefined;
}
