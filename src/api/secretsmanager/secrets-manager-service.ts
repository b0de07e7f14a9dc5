import type { ApiService } from '../operation.js';
import { operations, shapes, signingName, targetPrefix } from './model.generated.js';
import type { SecretsApiDeps } from './deps.js';
import { batchGetSecretValue } from './batch-get-secret-value.js';
import { cancelRotateSecret, rotateSecret } from './rotate-secret.js';
import { createSecret } from './create-secret.js';
import { deleteSecret } from './delete-secret.js';
import { describeSecret } from './describe-secret.js';
import { getRandomPassword } from './get-random-password.js';
import { getSecretValue } from './get-secret-value.js';
import { listSecretVersionIds } from './list-secret-version-ids.js';
import { listSecrets } from './list-secrets.js';
import { putSecretValue } from './put-secret-value.js';
import { restoreSecret } from './restore-secret.js';
import { tagResource } from './tag-resource.js';
import { untagResource } from './untag-resource.js';
import { updateSecret } from './update-secret.js';
import { updateSecretVersionStage } from './update-secret-version-stage.js';
import { resourcePolicyOperations } from './resource-policy-operations.js';
import { replicationOperations } from './replication-operations.js';
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
    authorization: secretAuthorization(deps),
    handlers: {
      ...resourcePolicyOperations(deps),
      ...replicationOperations(deps),
      BatchGetSecretValue: batchGetSecretValue(deps),
      CancelRotateSecret: cancelRotateSecret(deps),
      CreateSecret: createSecret(deps),
      DeleteSecret: deleteSecret(deps),
      DescribeSecret: describeSecret(deps),
      GetRandomPassword: getRandomPassword(),
      GetSecretValue: getSecretValue(deps),
      ListSecretVersionIds: listSecretVersionIds(deps),
      ListSecrets: listSecrets(deps),
      PutSecretValue: putSecretValue(deps),
      RestoreSecret: restoreSecret(deps),
      RotateSecret: rotateSecret(deps),
      TagResource: tagResource(deps),
      UntagResource: untagResource(deps),
      UpdateSecret: updateSecret(deps),
      UpdateSecretVersionStage: updateSecretVersionStage(deps),
    },
  };
}
