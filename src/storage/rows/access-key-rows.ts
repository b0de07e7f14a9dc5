import type { AccessKeyRecord } from '../stored-records.js';
import { bytes, optional, table, text, time } from './table.js';

export const ACCESS_KEYS = table<AccessKeyRecord>('access_keys', {
  accessKeyId: text('access_key_id'),
  encryptedSecret: bytes('encrypted_secret'),
  principalArn: text('principal_arn'),
  status: text<AccessKeyRecord['status']>('status'),
  createdAt: time('created_at'),
  expiresAt: optional(time('expires_at')),
  scopeSecretArn: optional(text('scope_secret_arn')),
  sessionTokenHash: optional(text('session_token_hash')),
  sessionIssuerArn: optional(text('session_issuer_arn')),
  sessionPolicy: optional(text('session_policy')),
});
