import type { IamManagedPolicyRecord } from '../../storage/index.js';
import { checkedPolicy } from './iam-documents.js';
import { IamErrors } from './iam-errors.js';

/** The plain-text budget AssumeRole gives the inline session policy and the managed policy ARNs together. */
const SESSION_POLICY_BUDGET = 2048;

export interface SessionPolicy {
  /** One document standing for all the session policies (JSON), or undefined when none was passed. */
  document?: string;
  /** PackedPolicySize: the share of the budget used, in percent. */
  packedSize?: number;
}

/**
 * The session policies AssumeRole was given, as one document: a session may do what any of its
 * session policies allows unless one denies it, which is what a single policy holding all their
 * statements says. Managed policies are taken as they are now.
 */
export function sessionPolicy(inline: string | undefined, managed: IamManagedPolicyRecord[]): SessionPolicy {
  if (inline === undefined && managed.length === 0) return {};
  if (inline !== undefined && inline.length > SESSION_POLICY_BUDGET) {
    throw IamErrors.validation(
      `1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to ${SESSION_POLICY_BUDGET}`,
    );
  }
  if (inline !== undefined) checkedPolicy(inline, 'identity');
  const packed = (inline === undefined ? 0 : JSON.stringify(JSON.parse(inline)).length) + managed.reduce((n, p) => n + p.arn.length, 0);
  const packedSize = Math.max(1, Math.ceil((packed * 100) / SESSION_POLICY_BUDGET));
  if (packedSize > 100) {
    throw IamErrors.packedPolicyTooLarge(`Packed policy consumes ${packedSize}% of allotted space, please use smaller policy for the session.`);
  }
  if (managed.length === 0) return { document: inline, packedSize };
  const documents = inline === undefined ? managed.map((p) => p.document) : [inline, ...managed.map((p) => p.document)];
  // Sids are dropped: they need only be unique within each document.
  const statements = documents.flatMap((d) => {
    const statement = (JSON.parse(d) as { Statement: object | object[] }).Statement;
    return (Array.isArray(statement) ? statement : [statement]).map(({ Sid: _sid, ...rest }: { Sid?: string }) => rest);
  });
  return { document: JSON.stringify({ Version: '2012-10-17', Statement: statements }), packedSize };
}
