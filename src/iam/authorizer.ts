import {
  accessDeniedMessage,
  callerKeys,
  evaluate,
  parsePolicy,
  PolicyCache,
  targetRequest,
  type CallerKeys,
  type ContextValue,
  type PolicySet,
} from './policy/index.js';
import type { CallerPolicies, PrincipalDirectory } from './principal-directory.js';

/** Who sends a request, as authorization sees it. */
export interface Caller {
  readonly principalArn: string;
  /** The role behind an assumed-role session. */
  readonly sessionIssuerArn?: string;
  /** The inline session policy the session was created with (JSON). */
  readonly sessionPolicy?: string;
  /** When the caller's access key or session was issued. */
  readonly credentialsIssuedAt?: number;
  readonly sourceIp?: string;
  readonly secureTransport: boolean;
  readonly now: number;
}

/** What one request asks to do: the action on a resource, with the facts conditions may test. */
export interface AuthorizationTarget {
  /** `service:Operation`. */
  readonly action: string;
  /** The resource ARN, or `*`. */
  readonly resource: string;
  /** The resource's own policy (a secret's resource policy, a key policy), as stored. */
  readonly resourcePolicy?: string;
  /** The unique id each user or role ARN in the resource policy stood for when it was written. */
  readonly principalIds?: Readonly<Record<string, string>>;
  /** Key policies: nothing is allowed on the key unless its policy allows it (or delegates to IAM). */
  readonly resourcePolicyRequired?: boolean;
  readonly resourceTags?: Readonly<Record<string, string>>;
  readonly requestTags?: Readonly<Record<string, string>>;
  readonly context?: Readonly<Record<string, ContextValue>>;
}

interface CallerState {
  known: CallerPolicies | undefined;
  orphaned: boolean;
  keys: CallerKeys;
}

export type AuthorizationOutcome = { allowed: true } | { allowed: false; message: string };

/** What a stored policy that no longer parses stands for. */
const DENY_ALL = parsePolicy('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}', 'resource');

/**
 * Decides requests with AWS's evaluation logic. A caller's identity policies come
 * from the directory (which caches them per principal); resource and session
 * policies are compiled once per distinct text. No directory means only the
 * account root user is known.
 */
export class Authorizer {
  // Stored policies were validated when written; one that no longer parses grants nothing and denies all.
  private readonly resourcePolicies = new PolicyCache('resource', DENY_ALL);
  private readonly sessionPolicies = new PolicyCache('identity', DENY_ALL);
  /** Each request's caller (a Caller lives as long as its request). */
  private readonly callers = new WeakMap<Caller, CallerState>();

  constructor(private readonly directory?: PrincipalDirectory) {}

  /** aws:userid of a user or role session (AIDA…, AROA…:session), for the audit record's principalId. */
  async userIdOf(principalArn: string): Promise<string | undefined> {
    return (await this.policiesOf(principalArn))?.userId;
  }

  async decide(caller: Caller, target: AuthorizationTarget): Promise<AuthorizationOutcome> {
    const known = await this.policiesOf(caller.principalArn);
    const shared = this.callers.get(caller);
    // Shared only while the directory answers with the same policies: a change during a long request (a long poll) applies at once.
    const { orphaned, keys } = shared && shared.known === known ? shared : this.remember(caller, known);
    const request = targetRequest(keys, target);
    const policies: PolicySet = orphaned ? {} : {
      identityPolicies: known?.identityPolicies,
      permissionsBoundary: known?.permissionsBoundary,
      resourcePolicy: target.resourcePolicy === undefined ? undefined : this.resourcePolicies.get(unboundNamesakes(target, caller, known)),
      sessionPolicies: caller.sessionPolicy === undefined ? undefined : [this.sessionPolicies.get(caller.sessionPolicy)],
      resourcePolicyRequired: target.resourcePolicyRequired,
    };
    const result = evaluate(policies, request);
    return result.decision === 'Allow' ? { allowed: true } : { allowed: false, message: accessDeniedMessage(request, result) };
  }

  /** What the decisions of one request share: a request is often decided against several targets (a secret and its key). */
  private remember(caller: Caller, known: CallerPolicies | undefined): CallerState {
    const root = caller.principalArn.endsWith(':root');
    const stale = known?.principalCreatedAt !== undefined && caller.credentialsIssuedAt !== undefined && caller.credentialsIssuedAt < known.principalCreatedAt;
    const state: CallerState = {
      known,
      // A principal that no longer exists, or credentials of a deleted namesake, are granted nothing, not even by a resource policy naming its ARN.
      orphaned: !root && this.directory !== undefined && (known === undefined || stale),
      keys: callerKeys({
        principalArn: caller.principalArn,
        sessionIssuerArn: caller.sessionIssuerArn,
        now: caller.now,
        sourceIp: caller.sourceIp,
        secureTransport: caller.secureTransport,
        userId: known?.userId,
        principalTags: known?.principalTags,
      }),
    };
    this.callers.set(caller, state);
    return state;
  }

  private async policiesOf(principalArn: string): Promise<CallerPolicies | undefined> {
    return principalArn.endsWith(':root') ? undefined : this.directory?.policiesOf(principalArn);
  }
}


/**
 * The resource policy with the caller's ARN (and its role's) replaced by the unique id it
 * was bound to, where that id is no longer the caller's: a namesake created after the
 * policy was written then matches nothing, as in AWS, where policies hold unique ids.
 */
function unboundNamesakes(target: AuthorizationTarget, caller: Caller, known: CallerPolicies | undefined): string {
  const document = target.resourcePolicy!;
  const bound = target.principalIds;
  if (!bound || !known) return document;
  const ownId = known.userId.split(':')[0];
  let result = document;
  for (const arn of [caller.principalArn, caller.sessionIssuerArn]) {
    const id = arn === undefined ? undefined : bound[arn];
    if (id !== undefined && id !== ownId) result = result.split(JSON.stringify(arn)).join(JSON.stringify(id));
  }
  return result;
}
