import { handlerTable, untypedAuthorization, type JsonService } from '../operation.js';
import { operations, shapes, signingName, targetPrefix } from './model.generated.js';
import type { KmsApiDeps } from './kms-deps.js';
import { aliasOperations } from './kms-alias-operations.js';
import { cryptoOperations } from './kms-crypto-operations.js';
import { keyOperations } from './kms-key-operations.js';
import { lifecycleOperations } from './kms-lifecycle-operations.js';
import { tagPolicyOperations } from './kms-tag-policy-operations.js';
import { kmsAuthorization } from './kms-authorization.js';
import type { Operations } from './types.generated.js';

/** The KMS API (TrentService): symmetric keys, aliases, envelope-encryption operations. */
export function kmsService(deps: KmsApiDeps): JsonService {
  return {
    targetPrefix,
    signingName,
    shapes,
    operations,
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
