import type { IncomingMessage } from 'node:http';
import { targetPrefix as cloudTrailPrefix } from '../api/cloudtrail/model.generated.js';
import { buildRecord, type AuditPhase, type AuditRecord, type AuditResource, type UserIdentity } from './audit-record.js';

/** CloudTrail's event source of each API Coffer serves. */
const EVENT_SOURCES: Record<string, string> = {
  secretsmanager: 'secretsmanager.amazonaws.com',
  TrentService: 'kms.amazonaws.com',
  [cloudTrailPrefix]: 'cloudtrail.amazonaws.com',
  CofferOperator: 'operator.coffer',
  CofferRotationFunctions: 'rotation-functions.coffer',
  CofferChangeFeed: 'change-feed.coffer',
  // Query-protocol services are named by their signing name.
  iam: 'iam.amazonaws.com',
  sts: 'sts.amazonaws.com',
};
const READ_ONLY = /^(Get|List|Describe|BatchGet|Lookup|GenerateRandom)/;
/**
 * KMS operations that change nothing: CloudTrail records no response for
 * them, as for every read (their answers are plaintext, ciphertext or
 * signatures, and would only be dropped again by redaction).
 */
const KMS_CRYPTO = /^(Encrypt|Decrypt|ReEncrypt|GenerateDataKey|GenerateMac|VerifyMac|Sign|Verify|DeriveSharedSecret)/;

export interface RequestFacts {
  requestId: string;
  /** `X-Amz-Target`'s prefix (a query service's signing name) and operation, as far as the request named them. */
  targetPrefix?: string;
  operation?: string;
  account: string;
  region: string;
  principalArn?: string;
  /** The caller's unique id (AIDA… for a user, AROA…:session for a role session), where known. */
  principalId?: string;
  /** For a role session: the role. */
  sessionIssuerArn?: string;
  accessKeyId?: string;
  input?: Record<string, unknown>;
  output?: object;
  error?: { code: string; message: string };
  time: number;
}

/** The CloudTrail record of one API request, allowed, denied or malformed (in `phase`, for a request with two records). */
export function requestRecord(req: IncomingMessage, facts: RequestFacts, phase?: AuditPhase): AuditRecord {
  const { eventSource, eventName } = eventOf(facts);
  return buildRecord({
    eventSource,
    eventName,
    awsRegion: facts.region,
    sourceIPAddress: req.socket.remoteAddress ?? 'unknown',
    userAgent: String(req.headers['user-agent'] ?? ''),
    userIdentity: identity(facts),
    requestParameters: facts.input,
    responseElements: changesSomething(eventSource, eventName) ? facts.output : undefined,
    error: facts.error,
    requestID: facts.requestId,
    readOnly: isReadOnly(eventName),
    time: new Date(facts.time),
    resources: resourcesOf(eventSource, facts.account, facts.input, facts.output),
    ...(phase ? { auditPhase: phase } : {}),
  });
}

function eventOf(facts: RequestFacts): { eventSource: string; eventName: string } {
  return { eventSource: (facts.targetPrefix && EVENT_SOURCES[facts.targetPrefix]) ?? 'unknown.coffer', eventName: facts.operation ?? 'Unknown' };
}

/** Whether the routed request asks for a change (it is then recorded before it acts, as well as after). */
export function requestChanges(facts: RequestFacts): boolean {
  const { eventSource, eventName } = eventOf(facts);
  return changesSomething(eventSource, eventName);
}

/**
 * Whether a call changes something: neither a read nor a KMS cryptographic
 * operation. CloudTrail records `responseElements` only for these. A read's
 * answer is never recorded: a LookupEvents record holding the events it
 * returned would hold earlier LookupEvents records, and grow without bound.
 */
function changesSomething(eventSource: string, eventName: string): boolean {
  if (isReadOnly(eventName)) return false;
  return !(eventSource === 'kms.amazonaws.com' && KMS_CRYPTO.test(eventName));
}

/** Whether an operation only reads (CloudTrail's readOnly). */
export function isReadOnly(operation: string): boolean {
  return READ_ONLY.test(operation);
}

function identity({ account, principalArn, principalId, sessionIssuerArn, accessKeyId }: RequestFacts): UserIdentity {
  const common = { accountId: account, ...(accessKeyId ? { accessKeyId } : {}) };
  if (!principalArn) return { type: 'Unknown', ...common };
  if (principalArn.endsWith(':root')) return { type: 'Root', principalId: account, arn: principalArn, ...common };
  if (principalArn.includes(':assumed-role/')) {
    const [, roleName, session] = principalArn.split('/');
    const roleArn = sessionIssuerArn ?? principalArn.replace(':sts:', ':iam:').replace(/:assumed-role\/([^/]+)\/.*$/, ':role/$1');
    const roleId = principalId?.split(':')[0] ?? roleName!;
    return {
      type: 'AssumedRole',
      arn: principalArn,
      principalId: principalId ?? `${roleName}:${session}`,
      ...common,
      sessionContext: { sessionIssuer: { type: 'Role', principalId: roleId, arn: roleArn, accountId: account, userName: roleName! } },
    };
  }
  return { type: 'IAMUser', arn: principalArn, userName: principalArn.split('/').pop(), principalId: principalId ?? principalArn, ...common };
}

/** The secret or key the call acted on: the ARN the answer names, else the id the request gave. */
function resourcesOf(eventSource: string, account: string, input?: Record<string, unknown>, output?: object): AuditResource[] | undefined {
  const out = (output ?? {}) as Record<string, unknown>;
  if (eventSource === 'secretsmanager.amazonaws.com') {
    const id = (out.ARN ?? input?.SecretId) as string | undefined;
    return id ? [{ ARN: id, accountId: account, type: 'AWS::SecretsManager::Secret' }] : undefined;
  }
  if (eventSource === 'kms.amazonaws.com') {
    const id = ((out.KeyMetadata as { Arn?: string } | undefined)?.Arn ?? out.KeyId ?? input?.KeyId ?? input?.DestinationKeyId) as string | undefined;
    return id ? [{ ARN: id, accountId: account, type: 'AWS::KMS::Key' }] : undefined;
  }
  return undefined;
}
