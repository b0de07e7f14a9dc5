import type { ApiService } from '../operation.js';
import { operations, shapes, signingName, targetPrefix } from './model.generated.js';
import type { KmsApiDeps } from './kms-deps.js';
import { aliasOperations } from './kms-alias-operations.js';
import { cryptoOperations } from './kms-crypto-operations.js';
import { keyOperations } from './kms-key-operations.js';
import { lifecycleOperations } from './kms-lifecycle-operations.js';
import { tagPolicyOperations } from './kms-tag-policy-operations.js';
import { kmsAuthorization } from './kms-authorization.js';
import { kmsAudit } from './kms-audit.js';

/** The KMS API (TrentService): symmetric keys, aliases, envelope-encryption operations. */
export function kmsService(deps: KmsApiDeps): ApiService {
  return {
    targetPrefix,
    signingName,
    shapes,
    operations,
    internalErrorCode: 'KMSInternalException',
    audit: kmsAudit,
    authorization: kmsAuthorization(deps),
    handlers: {
      ...keyOperations(deps),
      ...lifecycleOperations(deps),
      ...aliasOperations(deps),
      ...cryptoOperations(deps),
      ...tagPolicyOperations(deps),
    },
  };
}
