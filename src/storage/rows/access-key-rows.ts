import type { AccessKeyRecord } from '../stored-records.js';

/** Access keys as both SQL dialects store them. */
export interface AccessKeyRow {
  access_key_id: string;
  encrypted_secret: Buffer;
  principal_arn: string;
  status: 'Active' | 'Inactive';
  created_at: number;
  expires_at: number | null;
  scope_secret_arn: string | null;
  session_token_hash: string | null;
  session_issuer_arn: string | null;
  session_policy: string | null;
}

export function toAccessKey(row: AccessKeyRow): AccessKeyRecord {
  return {
    accessKeyId: row.access_key_id,
    encryptedSecret: row.encrypted_secret,
    principalArn: row.principal_arn,
    status: row.status,
    createdAt: row.created_at,
    ...(row.expires_at === null ? {} : { expiresAt: row.expires_at }),
    ...(row.scope_secret_arn === null ? {} : { scopeSecretArn: row.scope_secret_arn }),
    ...(row.session_token_hash === null ? {} : { sessionTokenHash: row.session_token_hash }),
    ...(row.session_issuer_arn === null ? {} : { sessionIssuerArn: row.session_issuer_arn }),
    ...(row.session_policy === null ? {} : { sessionPolicy: row.session_policy }),
  };
}

export function accessKeyParams(key: AccessKeyRecord) {
  return {
    ...key,
    expiresAt: key.expiresAt ?? null,
    scopeSecretArn: key.scopeSecretArn ?? null,
    sessionTokenHash: key.sessionTokenHash ?? null,
    sessionIssuerArn: key.sessionIssuerArn ?? null,
    sessionPolicy: key.sessionPolicy ?? null,
  };
}
