import { KmsErrors } from './kms-errors.js';

/** AWS's quota on a key policy document. */
const MAX_POLICY_BYTES = 32 * 1024;

/** The policy a key gets when CreateKey names none: the account may use IAM to allow anything on it. */
export function defaultKeyPolicy(scope: { account: string; partition: string }): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:${scope.partition}:iam::${scope.account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  });
}

/** Checks a key policy document as KMS does before storing it: size, then JSON shape. */
export function checkKeyPolicy(policy: string): string {
  if (Buffer.byteLength(policy) > MAX_POLICY_BYTES) {
    throw KmsErrors.limitExceeded(`The key policy exceeds the maximum size of ${MAX_POLICY_BYTES} bytes.`);
  }
  let document: unknown;
  try {
    document = JSON.parse(policy);
  } catch {
    throw KmsErrors.malformedPolicy('The new key policy is not valid JSON.');
  }
  const statements = (document as { Statement?: unknown } | null)?.Statement;
  if (typeof document !== 'object' || document === null || Array.isArray(document) || statements === undefined) {
    throw KmsErrors.malformedPolicy('The new key policy must be a JSON object with a Statement.');
  }
  return policy;
}
