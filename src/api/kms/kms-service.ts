import { handlerTable, untypedAuthorization, type ApiService } from '../operation.js';
import { operations, shapes, signingName, targetPrefix } from './model.generated.js';
import type { KmsApiDeps } from './kms-deps.js';
import { aliasOperations } from './kms-alias-operations.js';
import { cryptoOperations } from './kms-crypto-operations.js';
import { keyOperations } from './kms-key-operations.js';
import { lifecycleOperations } from './kms-lifecycle-operations.js';
import { tagPolicyOperations } from './kms-tag-policy-operations.js';
import { kmsAuthorization } from './kms-authorization.js';
import { kmsAudit } from './kms-audit.js';
import type { Operations } from './types.generated.js';

/** The KMS API (TrentService): symmetric keys, aliases, envelope-encryption operations. */
export function kmsService(deps: KmsApiDeps): ApiService {
  return {
    targetPrefix,
    signingName,
    shapes,
    operations,
    internalErrorCode: 'KMSInternalException',
    audit: kmsAudit,
    authorization: untypedAuthorization<Operations>(kmsAuthorization(deps)),
    handlers: handlerTable<Operations>({
      ...keyOperations(deps),
      ...lifecycleOperations(deps),
      ...aliasOperations(deps),
      ...cryptoOperations(deps),
      ...tagPolicyOperations(deps),
    }),
  };
}
