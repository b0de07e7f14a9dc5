import { handlerTable, queryService, untypedAuthorization, type ApiService } from '../operation.js';
import * as model from './model.generated.js';
import type { Operations } from './types.generated.js';
import type { IamApiDeps } from './iam-deps.js';
import { accessKeyOperations } from './iam-access-key-operations.js';
import { groupOperations } from './iam-group-operations.js';
import { entityPolicyOperations, managedPolicyOperations } from './iam-policy-operations.js';
import { roleOperations } from './iam-role-operations.js';
import { userOperations } from './iam-user-operations.js';
import { iamAuthorization } from './iam-authorization.js';

/** The IAM API (query protocol): users, groups, roles, access keys, inline and managed policies. */
export function iamService(deps: IamApiDeps): ApiService {
  return queryService(model, {
    audit: { eventSource: 'iam.amazonaws.com' },
    authorization: untypedAuthorization<Operations>(iamAuthorization(deps)),
    handlers: handlerTable<Operations>({
      ...userOperations(deps),
      ...accessKeyOperations(deps),
      ...groupOperations(deps),
      ...roleOperations(deps),
      ...entityPolicyOperations(deps),
      ...managedPolicyOperations(deps),
    }),
  });
}
