import { keyResource, KMS_SOURCE } from '../../audit/service-events.js';
import type { AuditedApi } from '../../audit/api-call-record.js';

/** How CloudTrail records KMS calls: each on the key it acted on; the cryptographic operations change nothing. */
export const kmsAudit: AuditedApi = {
  eventSource: KMS_SOURCE,
  changesNothing: /^(Encrypt|Decrypt|ReEncrypt|GenerateDataKey|GenerateMac|VerifyMac|Sign|Verify|DeriveSharedSecret)/,
  resources(account, input, output) {
    const out = (output ?? {}) as Record<string, unknown>;
    const id = ((out.KeyMetadata as { Arn?: string } | undefined)?.Arn ?? out.KeyId ?? input?.KeyId ?? input?.DestinationKeyId) as string | undefined;
    return id ? [keyResource(id, account)] : undefined;
  },
};
