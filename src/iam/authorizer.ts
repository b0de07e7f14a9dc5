import {
  accessDeniedMessage,
  buildAuthorizationRequest,
  evaluate,
  parsePolicy,
  PolicyCache,
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
  /** Key policies: nothing is allowed on the key unless its policy allows it (or delegates to IAM). */
  readonly resourcePolicyRequired?: boolean;
  readonly resourceTags?: Readonly<Record<string, string>>;
  readonly requestTags?: Readonly<Record<string, string>>;
  readonly context?: Readonly<Record<string, ContextValue>>;
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

  constructor(private readonly directory?: PrincipalDirectory) {}

  /** aws:userid of a user or role session (AIDA…, AROA…:session), for the audit record's principalId. */
  async userIdOf(principalArn: string): Promise<string | undefined> {
    return (await this.policiesOf(principalArn))?.userId;
  }

  async decide(caller: Caller, target: AuthorizationTarget): Promise<AuthorizationOutcome> {
    const known = await this.policiesOf(caller.principalArn);
    const request = buildAuthorizationRequest({
      principalArn: caller.principalArn,
      sessionIssuerArn: caller.sessionIssuerArn,
      action: target.action,
      resource: target.resource,
      now: caller.now,
      sourceIp: caller.sourceIp,
      secureTransport: caller.secureTransport,
      userId: known?.userId,
      principalTags: known?.principalTags,
      requestTags: target.requestTags,
      resourceTags: target.resourceTags,
      context: target.context,
    });
    const policies: PolicySet = {
      identityPolicies: known?.identityPolicies,
      permissionsBoundary: known?.permissionsBoundary,
      resourcePolicy: target.resourcePolicy === undefined ? undefined : this.resourcePolicies.get(target.resourcePolicy),
      sessionPolicies: caller.sessionPolicy === undefined ? undefined : [this.sessionPolicies.get(caller.sessionPolicy)],
      resourcePolicyRequired: target.resourcePolicyRequired,
    };
    const result = evaluate(policies, request);
    return result.decision === 'Allow' ? { allowed: true } : { allowed: false, message: accessDeniedMessage(request, result) };
  }

  private async policiesOf(principalArn: string): Promise<CallerPolicies | undefined> {
    return principalArn.endsWith(':root') ? undefined : this.directory?.policiesOf(principalArn);
  }
}

