import type { CompiledPolicy } from './policy/index.js';

/** What authorization needs to know about a caller, beyond its ARN. */
export interface CallerPolicies {
  /** Inline and attached policies of the user (and of its groups) or of the role. */
  readonly identityPolicies: readonly CompiledPolicy[];
  readonly permissionsBoundary?: CompiledPolicy;
  /** aws:PrincipalTag/<key>: the user's or role's tags. */
  readonly principalTags: Readonly<Record<string, string>>;
  /** aws:userid: the user's unique id (AIDA...), or `<role id>:<session name>` for a role session. */
  readonly userId: string;
  /** When the user or role was created; credentials issued before belong to a deleted namesake. */
  readonly principalCreatedAt?: number;
}

/**
 * Where authorization finds a caller's policies. Answers from memory after the
 * first call for a principal, until IAM data changes.
 */
export interface PrincipalDirectory {
  /**
   * The policies of a user (`arn:...:iam::<acct>:user/<path><name>`), a role
   * (`...:role/<path><name>`) or a role session (`arn:...:sts::<acct>:assumed-role/<role>/<session>`);
   * undefined when no such principal exists (any request by it is denied).
   */
  policiesOf(principalArn: string): Promise<CallerPolicies | undefined>;
}
