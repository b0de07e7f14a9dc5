import { handlerTable, untypedAuthorization, type ApiService } from '../operation.js';
import { operations, shapes, signingName, targetPrefix } from './model.generated.js';
import type { Operations } from './types.generated.js';
import type { SecretsApiDeps } from './secrets-manager-deps.js';
import { secretLifecycleOperations } from './secret-lifecycle-operations.js';
import { secretValueOperations } from './secret-value-operations.js';
import { secretRotationOperations } from './secret-rotation-operations.js';
import { secretTagPolicyOperations } from './secret-tag-policy-operations.js';
import { secretReplicationOperations } from './secret-replication-operations.js';
import { secretAuthorization } from './secret-authorization.js';
import { secretsManagerAudit } from './secrets-manager-audit.js';

/** The Secrets Manager API: the model's operations, with a handler for each one Coffer implements. */
export function secretsManagerService(deps: SecretsApiDeps): ApiService {
  return {
    targetPrefix,
    signingName,
    shapes,
    operations,
    messageKey: 'Message',
    audit: secretsManagerAudit,
    authorization: untypedAuthorization<Operations>(secretAuthorization(deps)),
    handlers: handlerTable<Operations>({
      ...secretLifecycleOperations(deps),
      ...secretValueOperations(deps),
      ...secretRotationOperations(deps),
      ...secretTagPolicyOperations(deps),
      ...secretReplicationOperations(deps),
    }),
  };
}
