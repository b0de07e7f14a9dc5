import type { IncomingMessage } from 'node:http';
import { buildRecord, type AuditPhase, type AuditRecord, type AuditResource, type UserIdentity } from './cloudtrail-record.js';

/** What the audit log knows of an API: each API's descriptor declares it (`audit` of `ApiService`, src/api/operation.ts). */
export interface AuditedApi {
  /** CloudTrail's event source: `kms.amazonaws.com`, or for Coffer's own APIs `<name>.coffer`. */
  eventSource: string;
  /**
   * Operations that change nothing although their names do not say so (KMS's cryptographic
   * operations): like reads, recorded once and without their response (their answers are
   * plaintext, ciphertext or signatures, and would only be dropped again by redaction).
   */
  changesNothing?: RegExp;
  /** The resources a call acted on (CloudTrail's `resources`), from its request and its answer. */
  resources?(account: string, input: Record<string, unknown> | undefined, output: object | undefined): AuditResource[] | undefined;
}

const READ_ONLY = /^(Get|List|Describe|BatchGet|Lookup|GenerateRandom)/;

export interface RequestFacts {
  requestId: string;
  /** The API and operation the request was routed to, once it was. */
  api?: AuditedApi;
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
    responseElements: changesSomething(facts.api, eventName) ? facts.output : undefined,
    error: facts.error,
    requestID: facts.requestId,
    readOnly: isReadOnly(eventName),
    time: new Date(facts.time),
    resources: facts.api?.resources?.(facts.account, facts.input, facts.output),
    ...(phase ? { auditPhase: phase } : {}),
  });
}

function eventOf(facts: RequestFacts): { eventSource: string; eventName: string } {
  return { eventSource: facts.api?.eventSource ?? 'unknown.coffer', eventName: facts.operation ?? 'Unknown' };
}

/** Whether the routed request asks for a change (it is then recorded before it acts, as well as after). */
export function requestChanges(facts: RequestFacts): boolean {
  return changesSomething(facts.api, eventOf(facts).eventName);
}

/**
 * Whether a call changes something: neither a read nor an operation its API
 * says changes nothing. CloudTrail records `responseElements` only for these.
 * A read's answer is never recorded: a LookupEvents record holding the events
 * it returned would hold earlier LookupEvents records, and grow without bound.
 */
function changesSomething(api: AuditedApi | undefined, eventName: string): boolean {
  if (isReadOnly(eventName)) return false;
  return !api?.changesNothing?.test(eventName);
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
