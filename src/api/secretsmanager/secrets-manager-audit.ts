import { secretResource, SECRETS_MANAGER_SOURCE } from '../../audit/service-events.js';
import type { AuditedApi } from '../../audit/api-call-record.js';

/** How CloudTrail records Secrets Manager calls: each on the secret it acted on, by the ARN the answer names, else the id the request gave. */
export const secretsManagerAudit: AuditedApi = {
  eventSource: SECRETS_MANAGER_SOURCE,
  resources(account, input, output) {
    const id = ((output as { ARN?: unknown } | undefined)?.ARN ?? input?.SecretId) as string | undefined;
    return id ? [secretResource(id, account)] : undefined;
  },
};
