import { handlerTable, queryService, type ApiService } from '../operation.js';
import * as model from './model.generated.js';
import type { Operations } from './types.generated.js';
import type { StsApiDeps } from './sts-deps.js';
import { sessionOperations } from './sts-session-operations.js';

/** The STS API (query protocol): caller identity and temporary credentials. */
export function stsService(deps: StsApiDeps): ApiService {
  return queryService(model, {
    audit: { eventSource: 'sts.amazonaws.com' },
    // GetCallerIdentity and GetSessionToken need no permission (AWS: policies cannot deny them);
    // AssumeRole evaluates the role's trust policy and the caller's policies in its handler.
    authorization: async () => [],
    handlers: handlerTable<Operations>(sessionOperations(deps)),
  });
}
