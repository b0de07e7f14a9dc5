import { utcSeconds } from '../../shared/utc-seconds.js';
import { lowerCased } from './lower-cased.js';

/** A condition key's value in the request: one string, or several for multivalued keys such as aws:TagKeys. */
export type ContextValue = string | readonly string[];

/** Condition keys of a request, by lower-cased name (AWS key names are case-insensitive). */
export interface ContextKeys extends Iterable<readonly [string, ContextValue]> {
  get(key: string): ContextValue | undefined;
}

/** AWS's aws:PrincipalType values, plus the service principals that resource policies may name. */
export type PrincipalType = 'Account' | 'User' | 'AssumedRole' | 'FederatedUser' | 'Service';

export interface RequestPrincipal {
  /** The caller: a user, the account root, a role or federated-user session ARN, or a service name. */
  readonly arn: string;
  readonly type: PrincipalType;
  readonly account: string;
  /**
   * For sessions, the IAM entity the session came from: the role (with its path) behind an
   * assumed-role session, the IAM user behind a federated-user session. Resource policies
   * naming it grant less than those naming the session itself.
   */
  readonly sessionIssuerArn?: string;
}

/** What policies are evaluated against: who asks to do what on which resource, and the condition keys. */
export interface AuthorizationRequest {
  readonly principal: RequestPrincipal;
  /** `service:Operation`, as in the API (case is ignored when matching). */
  readonly action: string;
  /** The resource ARN, or `*` for operations on no particular resource (ListSecrets). */
  readonly resource: string;
  /** The resource owner's account, when it may differ from the caller's (cross-account rules then apply). */
  readonly resourceAccount?: string;
  readonly keys: ContextKeys;
}

export interface AuthorizationRequestInput {
  principalArn: string;
  /** The role ARN behind an assumed-role session (needed when the role has a path), or the IAM user behind a federated user. */
  sessionIssuerArn?: string;
  action: string;
  resource?: string;
  resourceAccount?: string;
  /** Request time, for aws:CurrentTime and aws:EpochTime. */
  now?: Date | number;
  sourceIp?: string;
  secureTransport?: boolean;
  /** aws:userid: the user's unique id, or `role-id:session-name` for sessions. */
  userId?: string;
  principalTags?: Readonly<Record<string, string>>;
  /** Tags sent with the request: aws:RequestTag/<key> and aws:TagKeys. */
  requestTags?: Readonly<Record<string, string>>;
  /** Tags on the resource: aws:ResourceTag/<key> and the service's own `<service>:ResourceTag/<key>`. */
  resourceTags?: Readonly<Record<string, string>>;
  /** Any other keys (secretsmanager:Name, kms:EncryptionContext:<k>, kms:ViaService...), in any case. */
  context?: Readonly<Record<string, ContextValue>>;
}

const ARN_PARTS = /^arn:([^:]+):(iam|sts)::(\d{12}):(.+)$/;

/**
 * Classifies a caller ARN. A role ARN used directly as a caller (as Coffer's access keys may
 * be) is treated as a session of that role.
 */
export function describePrincipal(arn: string, sessionIssuerArn?: string): RequestPrincipal {
  const parts = ARN_PARTS.exec(arn);
  if (!parts) {
    if (arn.startsWith('arn:')) throw new TypeError(`Not a principal ARN: ${arn}`);
    return { arn, type: 'Service', account: '' };
  }
  const [, partition, service, account, resource] = parts;
  if (service === 'iam') {
    if (resource === 'root') return { arn, type: 'Account', account };
    if (resource.startsWith('user/')) return { arn, type: 'User', account };
    if (resource.startsWith('role/')) return { arn, type: 'AssumedRole', account, sessionIssuerArn: sessionIssuerArn ?? arn };
  } else if (resource.startsWith('assumed-role/')) {
    const roleName = resource.split('/')[1];
    const roleArn = sessionIssuerArn ?? `arn:${partition}:iam::${account}:role/${roleName}`;
    return { arn, type: 'AssumedRole', account, sessionIssuerArn: roleArn };
  } else if (resource.startsWith('federated-user/')) {
    return sessionIssuerArn === undefined
      ? { arn, type: 'FederatedUser', account }
      : { arn, type: 'FederatedUser', account, sessionIssuerArn };
  }
  throw new TypeError(`Not a principal ARN: ${arn}`);
}

/** Principals by ARN (and session issuer): a server sees few callers, and each is immutable. */
const principals = new Map<string, RequestPrincipal>();
const PRINCIPALS_LIMIT = 4096;

function cachedPrincipal(arn: string, sessionIssuerArn: string | undefined): RequestPrincipal {
  const cacheKey = sessionIssuerArn === undefined ? arn : `${arn} ${sessionIssuerArn}`;
  let principal = principals.get(cacheKey);
  if (principal === undefined) {
    principal = describePrincipal(arn, sessionIssuerArn);
    if (principals.size >= PRINCIPALS_LIMIT) principals.clear();
    principals.set(cacheKey, principal);
  }
  return principal;
}

/**
 * The request with AWS's global condition keys filled in from what the server knows about it.
 * Built once per request, so the global keys are written already lower-cased.
 */
export function buildAuthorizationRequest(input: AuthorizationRequestInput): AuthorizationRequest {
  return targetRequest(callerKeys(input), input);
}

/** A request's keys that depend on the caller alone: built once when a request is decided against several targets. */
export interface CallerKeys {
  readonly principal: RequestPrincipal;
  readonly keys: ReadonlyMap<string, ContextValue>;
}

export function callerKeys(input: Omit<AuthorizationRequestInput, 'action'>): CallerKeys {
  const principal = cachedPrincipal(input.principalArn, input.sessionIssuerArn);
  const keys = new Map<string, ContextValue>();

  if (principal.type !== 'Service') {
    // For sessions aws:PrincipalArn is the role, so policies can name the role rather than each session.
    const roleArn = principal.type === 'AssumedRole' ? principal.sessionIssuerArn : undefined;
    keys.set('aws:principalarn', roleArn ?? principal.arn);
    keys.set('aws:principalaccount', principal.account);
    keys.set('aws:principaltype', principal.type);
  }
  if (principal.type === 'User') keys.set('aws:username', principal.arn.slice(principal.arn.lastIndexOf('/') + 1));
  const userId = input.userId ?? (principal.type === 'Account' ? principal.account : undefined);
  if (userId !== undefined) keys.set('aws:userid', userId);
  if (input.now !== undefined) {
    const ms = typeof input.now === 'number' ? input.now : input.now.getTime();
    keys.set('aws:currenttime', utcSeconds(ms));
    keys.set('aws:epochtime', String(Math.floor(ms / 1000)));
  }
  if (input.secureTransport !== undefined) keys.set('aws:securetransport', input.secureTransport ? 'true' : 'false');
  if (input.sourceIp !== undefined) keys.set('aws:sourceip', input.sourceIp);

  setTags(keys, 'aws:principaltag/', input.principalTags);
  return { principal, keys };
}

/** The request against one target: the caller's keys, and over them the target's tags and context. */
export function targetRequest(caller: CallerKeys, input: Pick<AuthorizationRequestInput, 'action' | 'resource' | 'resourceAccount' | 'requestTags' | 'resourceTags' | 'context'>): AuthorizationRequest {
  const { principal } = caller;
  const own = new Map<string, ContextValue>();
  if (input.requestTags) {
    setTags(own, 'aws:requesttag/', input.requestTags);
    own.set('aws:tagkeys', Object.keys(input.requestTags));
  }
  if (input.resourceTags) {
    setTags(own, 'aws:resourcetag/', input.resourceTags);
    const service = input.action.slice(0, input.action.indexOf(':'));
    if (service) setTags(own, `${service}:resourcetag/`, input.resourceTags);
  }
  for (const key in input.context) own.set(lowerCased(key), input.context[key]!);

  const keys = own.size ? layered(own, caller.keys) : caller.keys;
  const request = { principal, action: input.action, resource: input.resource ?? '*', keys };
  return input.resourceAccount === undefined ? request : { ...request, resourceAccount: input.resourceAccount };
}

/** The target's keys over the caller's: a target's key of the same name wins. */
function layered(own: ReadonlyMap<string, ContextValue>, base: ReadonlyMap<string, ContextValue>): ContextKeys {
  return {
    get: (key) => own.get(key) ?? base.get(key),
    [Symbol.iterator]: () => new Map([...base, ...own])[Symbol.iterator](),
  };
}

function setTags(keys: Map<string, ContextValue>, prefix: string, tags: Readonly<Record<string, string>> | undefined): void {
  for (const tag in tags) keys.set(lowerCased(prefix + tag), tags[tag]!);
}

/** Tags as policies see them: key → value (aws:PrincipalTag, aws:ResourceTag, aws:RequestTag). */
export function tagMap(tags: readonly { readonly Key: string; readonly Value: string }[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const tag of tags) map[tag.Key] = tag.Value;
  return map;
}
