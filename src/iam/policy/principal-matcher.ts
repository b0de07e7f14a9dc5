import type { RequestPrincipal } from './authorization-request.js';
import { PolicyErrors } from './policy-document-error.js';

/**
 * How a resource policy's Principal names the caller. The strength decides what an Allow is
 * worth within the account (AWS "Policy evaluation logic", resource-based policies):
 * - Direct: the caller itself (user, session, root user, service) or everyone ("*"): grants on
 *   its own, whatever the identity policies, permissions boundary or session policy say.
 * - Issuer: the role behind a role session, or the IAM user behind a federated session: grants
 *   without an identity policy, but a permissions boundary or session policy still limits it.
 * - Account: the caller's account ("123456789012" or its :root ARN): delegates to the account's
 *   IAM policies, granting nothing by itself.
 */
export const enum PrincipalMatch {
  None = 0,
  Account = 1,
  Issuer = 2,
  Direct = 3,
}

/** A compiled Principal or NotPrincipal element. */
export interface PrincipalSet {
  readonly everyone: boolean;
  readonly accounts: ReadonlySet<string>;
  readonly arns: ReadonlySet<string>;
  readonly services: ReadonlySet<string>;
}

const ACCOUNT_ID = /^\d{12}$/;
const ACCOUNT_ROOT = /^arn:[^:]+:iam::(\d{12}):root$/;
const IAM_PRINCIPAL = /^arn:[^:]+:iam::\d{12}:(user|role)\/\S+$/;
const STS_PRINCIPAL = /^arn:[^:]+:sts::\d{12}:(assumed-role\/[^/\s]+\/\S+|federated-user\/\S+)$/;
/** Unique ids (AIDA..., AROA...) stand in for deleted users and roles; they match no live caller. */
const UNIQUE_ID = /^A[A-Z0-9]{15,}$/;
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);

export function compilePrincipal(raw: unknown): PrincipalSet {
  const accounts = new Set<string>();
  const arns = new Set<string>();
  const services = new Set<string>();
  const set = { everyone: false, accounts, arns, services };
  if (raw === '*') return { ...set, everyone: true };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw PolicyErrors.invalidPrincipal('AWS', shown(raw));
  }
  for (const [type, values] of Object.entries(raw)) {
    if (!PRINCIPAL_TYPES.has(type)) throw PolicyErrors.invalidPrincipal(type, shown(values));
    for (const value of Array.isArray(values) ? values : [values]) {
      if (typeof value !== 'string' || value === '') throw PolicyErrors.invalidPrincipal(type, shown(value));
      if (value === '*' && type === 'AWS') set.everyone = true;
      else if (value.includes('*')) throw PolicyErrors.invalidPrincipal(type, value); // no partial wildcards in principals
      else if (type === 'Service') services.add(value);
      else if (type === 'AWS') addAwsPrincipal(value, accounts, arns);
    }
  }
  return set;
}

function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function addAwsPrincipal(value: string, accounts: Set<string>, arns: Set<string>): void {
  const root = ACCOUNT_ROOT.exec(value);
  if (ACCOUNT_ID.test(value)) accounts.add(value);
  else if (root) accounts.add(root[1]!);
  else if (IAM_PRINCIPAL.test(value) || STS_PRINCIPAL.test(value)) arns.add(value);
  else if (!UNIQUE_ID.test(value)) throw PolicyErrors.invalidPrincipal('AWS', value);
}

/** How strongly a Principal element names the caller. */
export function matchPrincipal(set: PrincipalSet, principal: RequestPrincipal): PrincipalMatch {
  if (set.everyone) return PrincipalMatch.Direct;
  if (principal.type === 'Service') return set.services.has(principal.arn) ? PrincipalMatch.Direct : PrincipalMatch.None;
  if (set.arns.has(principal.arn)) return PrincipalMatch.Direct;
  if (principal.sessionIssuerArn !== undefined && set.arns.has(principal.sessionIssuerArn)) return PrincipalMatch.Issuer;
  if (set.accounts.has(principal.account)) {
    return principal.type === 'Account' ? PrincipalMatch.Direct : PrincipalMatch.Account;
  }
  return PrincipalMatch.None;
}

/**
 * Whether a NotPrincipal element spares the caller. AWS may check the account, then the role,
 * then the session, so a caller is spared only when every link of that chain is listed: naming
 * only a user still leaves its account, and so the user, in the statement.
 */
export function excludedByNotPrincipal(set: PrincipalSet, principal: RequestPrincipal): boolean {
  if (set.everyone) return true;
  if (principal.type === 'Service') return set.services.has(principal.arn);
  if (!set.accounts.has(principal.account)) return false;
  if (principal.type === 'Account') return true;
  const issuer = principal.sessionIssuerArn;
  if (issuer !== undefined && issuer !== principal.arn && !set.arns.has(issuer)) return false;
  return set.arns.has(principal.arn);
}
