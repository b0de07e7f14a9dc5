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

/**
 * AWS's policy of the AWS managed key aws/secretsmanager: any principal of the account
 * may use it, but only through Secrets Manager in the key's region; the account may
 * read its metadata directly. Nobody may use it for cryptography straight through KMS.
 */
export function secretsManagerKeyPolicy(scope: { account: string; partition: string; region: string }): string {
  // The same text each time for a scope: authorization reads it on every request, and compiles a text once.
  const cacheKey = `${scope.partition}:${scope.account}:${scope.region}`;
  let policy = managedKeyPolicies.get(cacheKey);
  if (policy === undefined) {
    policy = managedKeyPolicy(scope);
    managedKeyPolicies.set(cacheKey, policy);
  }
  return policy;
}

/** A server serves one account in a few regions. */
const managedKeyPolicies = new Map<string, string>();

function managedKeyPolicy(scope: { account: string; partition: string; region: string }): string {
  const throughSecretsManager = { 'kms:CallerAccount': scope.account, 'kms:ViaService': `secretsmanager.${scope.region}.amazonaws.com` };
  const sid = 'Allow access through AWS Secrets Manager for all principals in the account that are authorized to use AWS Secrets Manager';
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'auto-secretsmanager-2',
    Statement: [
      {
        Sid: sid,
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:CreateGrant', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { StringEquals: throughSecretsManager },
      },
      {
        // AWS repeats the first Sid here; Coffer's policy grammar wants Sids unique.
        Sid: `${sid} to generate data keys`,
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'kms:GenerateDataKey*',
        Resource: '*',
        Condition: { StringEquals: { 'kms:CallerAccount': scope.account }, StringLike: { 'kms:ViaService': throughSecretsManager['kms:ViaService'] } },
      },
      {
        Sid: 'Allow direct access to key metadata to the account',
        Effect: 'Allow',
        Principal: { AWS: `arn:${scope.partition}:iam::${scope.account}:root` },
        Action: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:RevokeGrant'],
        Resource: '*',
      },
    ],
  });
}

/**
 * The policy that governs a key. An AWS managed key (Coffer's only one is aws/secretsmanager)
 * is governed by AWS's policy whatever is stored
 * (keys created before Coffer wrote it carry the customer default policy).
 */
export function effectiveKeyPolicy(key: { keyManager: 'AWS' | 'CUSTOMER'; arn: string; account: string; region: string; policy: string }): string {
  if (key.keyManager !== 'AWS') return key.policy;
  const partition = key.arn.split(':')[1] ?? 'aws';
  return secretsManagerKeyPolicy({ account: key.account, partition, region: key.region });
}
