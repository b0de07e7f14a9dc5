import {
  accessDeniedMessage,
  buildAuthorizationRequest,
  evaluate,
  parsePolicy,
  type CompiledPolicy,
  type ContextValue,
  type PolicyKind,
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

/** Compiled documents kept: a server sees few distinct policies, and each text compiles the same. */
const COMPILED_LIMIT = 2048;

/**
 * Decides requests with AWS's evaluation logic. A caller's identity policies come
 * from the directory (which caches them per principal); resource and session
 * policies are compiled once per distinct text. No directory means only the
 * account root user is known.
 */
export class Authorizer {
  /** By kind, then by document: the text of a cached record is the same string each time, hashed once. */
  private readonly compiled = { resource: new Map<string, CompiledPolicy>(), identity: new Map<string, CompiledPolicy>() };

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
      resourcePolicy: target.resourcePolicy === undefined ? undefined : this.compile(target.resourcePolicy, 'resource'),
      sessionPolicies: caller.sessionPolicy === undefined ? undefined : [this.compile(caller.sessionPolicy, 'identity')],
      resourcePolicyRequired: target.resourcePolicyRequired,
    };
    const result = evaluate(policies, request);
    return result.decision === 'Allow' ? { allowed: true } : { allowed: false, message: accessDeniedMessage(request, result) };
  }

  private async policiesOf(principalArn: string): Promise<CallerPolicies | undefined> {
    return principalArn.endsWith(':root') ? undefined : this.directory?.policiesOf(principalArn);
  }

  private compile(document: string, kind: 'resource' | 'identity'): CompiledPolicy {
    const cache = this.compiled[kind];
    let policy = cache.get(document);
    if (!policy) {
      // Stored policies were validated when written; one that no longer parses grants nothing.
      policy = safeParse(document, kind);
      if (cache.size >= COMPILED_LIMIT) cache.clear();
      cache.set(document, policy);
    }
    return policy;
  }
}

const DENY_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}';

function safeParse(document: string, kind: PolicyKind): CompiledPolicy {
  try {
    return parsePolicy(document, kind);
  } catch {
    return parsePolicy(DENY_ALL, 'resource');
  }
}
