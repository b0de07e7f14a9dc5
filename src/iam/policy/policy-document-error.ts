/**
 * A policy document that AWS would refuse. `message` is the text AWS returns with
 * MalformedPolicyDocument (short and generic, as AWS's own); `detail` names the
 * offending element, for logs and for callers that want to say more.
 */
export class PolicyDocumentError extends Error {
  readonly code = 'MalformedPolicyDocument';

  constructor(
    message: string,
    readonly detail: string,
  ) {
    super(message);
    this.name = 'PolicyDocumentError';
  }
}

export const PolicyErrors = {
  syntax: (detail: string) => new PolicyDocumentError('Syntax errors in policy.', detail),
  principalForbidden: () =>
    new PolicyDocumentError(
      'Policy document should not specify a principal.',
      'Principal and NotPrincipal belong to resource-based policies only',
    ),
  principalMissing: () =>
    new PolicyDocumentError('Missing required field Principal', 'every statement of a resource-based policy names its principal'),
  effectMissing: () => new PolicyDocumentError('Missing required field Effect', 'every statement needs "Effect": "Allow" or "Deny"'),
  invalidPrincipal: (type: string, value: string) =>
    new PolicyDocumentError(`Invalid principal in policy: "${type}":"${value}"`, `"${value}" is not a valid ${type} principal`),
  noActions: () => new PolicyDocumentError('Policy statement must contain actions.', 'the statement has no Action nor NotAction'),
  noResources: () =>
    new PolicyDocumentError('Policy statement must contain resources.', 'the statement has no Resource nor NotResource'),
  resourceForbidden: () => new PolicyDocumentError('Has prohibited field Resource', 'a role trust policy names no resources'),
  vendorMissing: (name: string) =>
    new PolicyDocumentError(
      'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
      `"${name}" has no "service:" prefix`,
    ),
  resourceFormat: (resource: string) =>
    new PolicyDocumentError(`Resource ${resource} must be in ARN format or "*".`, `"${resource}" is not an ARN`),
  duplicateSid: (sid: string) =>
    new PolicyDocumentError('Statement IDs (SID) in a single policy must be unique.', `Sid "${sid}" appears twice`),
};
