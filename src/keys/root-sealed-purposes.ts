/**
 * What is sealed under the root key besides KMS key material (`materialPurpose`
 * in key-service.ts), and the purpose each is bound to, so that one cannot be
 * opened as another. Named here, beside the root key, because both the stores
 * that seal them and a root key rotation, which re-wraps them all, use them.
 */

/** An IAM user's or session's secret access key. */
export function accessKeyPurpose(accessKeyId: string): string {
  return `access-key:${accessKeyId}`;
}

/** A rotation function's signing key: bound to its function, it cannot be opened as another's. */
export function signingKeyPurpose(arn: string): string {
  return `rotation-function-signing-key:${arn}`;
}

/** The audit log's digest-signing key, kept (sealed, base64) in the setting of the same name. */
export const AUDIT_SIGNING_KEY_PURPOSE = 'audit-signing-key';
export const AUDIT_SIGNING_KEY_SETTING = 'audit-signing-key';
