import { randomUUID } from 'node:crypto';
import type { AuditLog } from './audit-log.js';
import { buildRecord, type AuditResource } from './cloudtrail-record.js';

export interface ServiceEvent {
  eventSource: string;
  eventName: string;
  account: string;
  region: string;
  resources?: AuditResource[];
  /** What the action concerned (redacted like any request's parameters). */
  details?: object;
  error?: { code: string; message: string };
}

/** Records an action Coffer took on its own (a rotation step, a sweep, a key rotation). */
export type ServiceEventRecorder = (event: ServiceEvent) => Promise<void>;

/** Service events go into the same chain as API calls, as CloudTrail's AwsServiceEvent records. */
export function serviceEventRecorder(audit: AuditLog, clock: () => number = Date.now): ServiceEventRecorder {
  return (event) =>
    audit.record(
      buildRecord({
        eventSource: event.eventSource,
        eventName: event.eventName,
        awsRegion: event.region,
        sourceIPAddress: event.eventSource,
        userAgent: event.eventSource,
        userIdentity: { type: 'AWSService', invokedBy: event.eventSource, accountId: event.account },
        requestParameters: event.details,
        error: event.error,
        requestID: randomUUID(),
        readOnly: false,
        eventType: 'AwsServiceEvent',
        time: new Date(clock()),
        resources: event.resources,
      }),
    );
}

export const SECRETS_MANAGER_SOURCE = 'secretsmanager.amazonaws.com';
export const KMS_SOURCE = 'kms.amazonaws.com';

export const secretResource = (arn: string, account: string): AuditResource => ({ ARN: arn, accountId: account, type: 'AWS::SecretsManager::Secret' });
export const keyResource = (arn: string, account: string): AuditResource => ({ ARN: arn, accountId: account, type: 'AWS::KMS::Key' });
