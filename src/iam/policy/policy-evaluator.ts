import type { AuthorizationRequest } from './authorization-request.js';
import { conditionsHold } from './condition-block.js';
import { lowerCased } from './lower-cased.js';
import type { CompiledPolicy, CompiledStatement } from './policy-document.js';
import { resolveVariable } from './policy-variables.js';
import { PrincipalMatch, excludedByNotPrincipal, matchPrincipal } from './principal-matcher.js';

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** The policy types named in AWS's AccessDeniedException messages. */
export type PolicyType = 'identity-based policy' | 'resource-based policy' | 'permissions boundary' | 'session policy';

export interface EvaluationResult {
  readonly decision: Decision;
  /**
   * For denials, the end of AWS's AccessDeniedException message ("because no identity-based
   * policy allows the ... action", "with an explicit deny in a resource-based policy"); for
   * Allow, what granted access.
   */
  readonly reason: string;
  /** The policy type that decided; undefined when the account root user is allowed as such. */
  readonly policyType: PolicyType | undefined;
}

/** The compiled policies that apply to one request. */
export interface PolicySet {
  /** The caller's own policies: user, group and role policies. Not applied to the account root user. */
  readonly identityPolicies?: readonly CompiledPolicy[];
  /** The policy attached to the requested resource. */
  readonly resourcePolicy?: CompiledPolicy;
  /** The caller's permissions boundary: caps what identity policies (and role-named resource grants) allow. */
  readonly permissionsBoundary?: CompiledPolicy;
  /** Inline and managed session policies of an assumed-role or federated session: cap them likewise. */
  readonly sessionPolicies?: readonly CompiledPolicy[];
  /**
   * KMS key policies and role trust policies: access needs the resource policy's Allow, even
   * within the account; an Allow naming the account delegates to the identity policies.
   */
  readonly resourcePolicyRequired?: boolean;
}

const NO_POLICIES: readonly CompiledPolicy[] = [];

const ALLOWED_AS_ROOT: EvaluationResult = {
  decision: 'Allow',
  reason: 'the account root user has full access to its account',
  policyType: undefined,
};
const ALLOWED_BY_IDENTITY: EvaluationResult = {
  decision: 'Allow',
  reason: 'allowed by an identity-based policy',
  policyType: 'identity-based policy',
};
const ALLOWED_BY_RESOURCE: EvaluationResult = {
  decision: 'Allow',
  reason: 'allowed by a resource-based policy',
  policyType: 'resource-based policy',
};
const ALLOWED_ACROSS_ACCOUNTS: EvaluationResult = {
  decision: 'Allow',
  reason: 'allowed by both an identity-based policy and a resource-based policy',
  policyType: 'resource-based policy',
};

/**
 * AWS's policy evaluation ("Policy evaluation logic", IAM User Guide):
 * 1. An applicable Deny in any policy wins.
 * 2. Within the account, an Allow in the resource policy naming the caller itself (or "*")
 *    grants alone; naming the role behind a session (or the user behind a federated session)
 *    grants unless the permissions boundary or a session policy leaves the action out.
 * 3. Otherwise the identity policies must allow it, and the permissions boundary and session
 *    policies (when present) too; a resource policy naming the account only delegates to them.
 *    A federated-user session without session policies gets nothing from its identity policies.
 * 4. Anything else is an implicit deny.
 * The account root user is subject to no identity policy or boundary: it is allowed unless a
 * resource policy (or the session policy of a root session Coffer issued) denies it. Across accounts, both the caller's policies and the
 * resource policy must allow.
 */
export function evaluate(policies: PolicySet, request: AuthorizationRequest): EvaluationResult {
  const action = lowerCased(request.action);
  const isRoot = request.principal.type === 'Account';
  const identity = isRoot ? NO_POLICIES : policies.identityPolicies ?? NO_POLICIES;
  // AWS gives the root user no session policy; a session Coffer issues for the account (a rotation's) is capped by one.
  const sessions = policies.sessionPolicies ?? NO_POLICIES;
  const boundary = isRoot ? undefined : policies.permissionsBoundary;
  const resourcePolicy = policies.resourcePolicy;

  if (anyApplies(identity, 'deny', request, action)) return explicitDeny('identity-based policy');
  if (resourcePolicy && resourceDenies(resourcePolicy, request, action)) return explicitDeny('resource-based policy');
  if (boundary && policyApplies(boundary, 'deny', request, action)) return explicitDeny('permissions boundary');
  if (anyApplies(sessions, 'deny', request, action)) return explicitDeny('session policy');

  const grant = resourcePolicy ? resourceGrant(resourcePolicy, request, action) : PrincipalMatch.None;
  const crossAccount = request.resourceAccount !== undefined && request.resourceAccount !== request.principal.account;
  if (grant === PrincipalMatch.Direct && !crossAccount) return ALLOWED_BY_RESOURCE;

  const boundaryAllows = !boundary || policyApplies(boundary, 'allow', request, action);
  const sessionAllows =
    sessions.length > 0 ? anyApplies(sessions, 'allow', request, action) : request.principal.type !== 'FederatedUser';
  if (grant === PrincipalMatch.Issuer && !crossAccount && boundaryAllows && sessionAllows) return ALLOWED_BY_RESOURCE;

  const identityAllows = isRoot || anyApplies(identity, 'allow', request, action);
  const needsGrant = crossAccount || policies.resourcePolicyRequired === true;
  if (identityAllows && boundaryAllows && sessionAllows) {
    if (crossAccount && grant !== PrincipalMatch.None) return ALLOWED_ACROSS_ACCOUNTS;
    if (!needsGrant) return isRoot ? ALLOWED_AS_ROOT : ALLOWED_BY_IDENTITY;
    if (grant !== PrincipalMatch.None) return ALLOWED_BY_RESOURCE;
  }

  if (needsGrant && grant === PrincipalMatch.None) return implicitDeny('resource-based policy', request.action);
  // Within the account a grant naming the caller or its role stands in for the identity policies.
  const grantReplacesIdentity = !crossAccount && grant >= PrincipalMatch.Issuer;
  if (!identityAllows && !grantReplacesIdentity) return implicitDeny('identity-based policy', request.action);
  if (!boundaryAllows) return implicitDeny('permissions boundary', request.action);
  return implicitDeny('session policy', request.action);
}

function explicitDeny(policyType: PolicyType): EvaluationResult {
  return { decision: 'ExplicitDeny', reason: `with an explicit deny in ${article(policyType)} ${policyType}`, policyType };
}

function implicitDeny(policyType: PolicyType, action: string): EvaluationResult {
  return { decision: 'ImplicitDeny', reason: `because no ${policyType} allows the ${action} action`, policyType };
}

function article(policyType: PolicyType): string {
  return policyType.startsWith('identity') ? 'an' : 'a';
}

/** Whether an Allow (or Deny) statement of these principal-less policies applies to the request. */
function anyApplies(
  policies: readonly CompiledPolicy[],
  effect: 'allow' | 'deny',
  request: AuthorizationRequest,
  action: string,
): boolean {
  for (const policy of policies) if (policyApplies(policy, effect, request, action)) return true;
  return false;
}

function policyApplies(policy: CompiledPolicy, effect: 'allow' | 'deny', request: AuthorizationRequest, action: string): boolean {
  for (const statement of policy[effect]) if (statementApplies(statement, request, action)) return true;
  return false;
}

/** A Deny naming the caller in any way (its account included) applies to it. */
function resourceDenies(policy: CompiledPolicy, request: AuthorizationRequest, action: string): boolean {
  for (const statement of policy.deny) {
    if (principalStrength(statement, request) !== PrincipalMatch.None && statementApplies(statement, request, action)) {
      return true;
    }
  }
  return false;
}

/** The strongest way an applicable Allow of the resource policy names the caller. */
function resourceGrant(policy: CompiledPolicy, request: AuthorizationRequest, action: string): PrincipalMatch {
  let best = PrincipalMatch.None;
  for (const statement of policy.allow) {
    const strength = principalStrength(statement, request);
    if (strength > best && statementApplies(statement, request, action)) {
      best = strength;
      if (best === PrincipalMatch.Direct) break;
    }
  }
  return best;
}

function principalStrength(statement: CompiledStatement, request: AuthorizationRequest): PrincipalMatch {
  const principal = statement.principal;
  // A principal-less statement in a resource policy can only come from a policy parsed as identity: it covers the caller.
  if (!principal) return PrincipalMatch.Direct;
  if (principal.negated) {
    // NotPrincipal covers everyone it does not spare, like "*" does.
    return excludedByNotPrincipal(principal.set, request.principal) ? PrincipalMatch.None : PrincipalMatch.Direct;
  }
  return matchPrincipal(principal.set, request.principal);
}

function statementApplies(statement: CompiledStatement, request: AuthorizationRequest, action: string): boolean {
  const { actions, resources, variables, conditions } = statement;
  let actionHit = false;
  for (const pattern of actions.patterns) {
    if (pattern.matches(action, 0, action.length)) {
      actionHit = true;
      break;
    }
  }
  if (actionHit === actions.negated) return false;

  const keys = request.keys;
  // AWS: a variable the request cannot resolve makes the whole statement invalid, so it applies to nothing.
  for (const ref of variables) if (resolveVariable(ref, keys) === undefined) return false;

  if (resources) {
    let resourceHit = false;
    for (const pattern of resources.patterns) {
      if (pattern.matches(request.resource, keys)) {
        resourceHit = true;
        break;
      }
    }
    if (resourceHit === resources.negated) return false;
  }
  return conditions.length === 0 || conditionsHold(conditions, keys);
}
