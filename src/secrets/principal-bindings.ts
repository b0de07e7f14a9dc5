/**
 * A resource policy names users and roles by ARN, but AWS binds each to the unique id
 * (AIDA..., AROA...) the principal had when the policy was written: a user deleted and
 * created again under the same name is someone else and gets nothing from it. Coffer
 * stores the document as given, with those ids beside it.
 */

const ENVELOPE = 'CofferBoundPolicy';
const IAM_PRINCIPAL = /^arn:[^:]+:iam::\d{12}:(user|role)\/\S+$/;

/** The id of a principal that did not exist when the policy was written: a unique id no user or role has. */
export const NO_SUCH_PRINCIPAL = 'AIDA0NOSUCHPRINCIPAL0';

export interface BoundPolicy {
  /** The document exactly as the caller wrote it. */
  readonly document: string;
  /** Unique id of each user or role ARN the document names, as of when it was written. */
  readonly principalIds: Readonly<Record<string, string>>;
}

/** The user and role ARNs a policy's Principal and NotPrincipal elements name. */
export function namedPrincipalArns(document: string): string[] {
  const parsed = JSON.parse(document) as { Statement: unknown };
  const statements = (Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement]) as Record<string, unknown>[];
  const arns = new Set<string>();
  for (const statement of statements) {
    for (const element of [statement.Principal, statement.NotPrincipal]) {
      const aws = typeof element === 'object' && element !== null ? (element as Record<string, unknown>).AWS : undefined;
      for (const value of Array.isArray(aws) ? aws : [aws]) if (typeof value === 'string' && IAM_PRINCIPAL.test(value)) arns.add(value);
    }
  }
  return [...arns];
}

/** What to store: the document alone when it names no known principal, else the document with its bindings. */
export function packPolicy(policy: BoundPolicy): string {
  if (Object.keys(policy.principalIds).length === 0) return policy.document;
  return JSON.stringify({ [ENVELOPE]: 1, Document: policy.document, PrincipalIds: policy.principalIds });
}

/** A stored policy's document and bindings (a document stored before bindings has none). */
export function unpackPolicy(stored: string): BoundPolicy {
  if (!stored.startsWith(`{"${ENVELOPE}":`)) return { document: stored, principalIds: {} };
  // Authorization unpacks a secret's policy on every request: each stored text is parsed once.
  let unpacked = unpackedPolicies.get(stored);
  if (unpacked === undefined) {
    const envelope = JSON.parse(stored) as { Document: string; PrincipalIds: Record<string, string> };
    unpacked = Object.freeze({ document: envelope.Document, principalIds: Object.freeze(envelope.PrincipalIds) });
    if (unpackedPolicies.size >= UNPACKED_LIMIT) unpackedPolicies.clear();
    unpackedPolicies.set(stored, unpacked);
  }
  return unpacked;
}

const unpackedPolicies = new Map<string, BoundPolicy>();
const UNPACKED_LIMIT = 4096;
