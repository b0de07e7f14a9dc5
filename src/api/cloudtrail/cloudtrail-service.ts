import { handlerTable, type ApiService } from '../operation.js';
import type { CloudTrailApiDeps } from './cloudtrail-deps.js';
import { lookupOperations } from './cloudtrail-lookup-operations.js';
import { operations, shapes, signingName, targetPrefix } from './model.generated.js';
import type { Operations } from './types.generated.js';

export type { CloudTrailApiDeps } from './cloudtrail-deps.js';

/**
 * The CloudTrail API, of which Coffer serves LookupEvents over its audit log;
 * the other operations answer as unsupported.
 */
export function cloudTrailService(deps: CloudTrailApiDeps): ApiService {
  return {
    targetPrefix,
    // The AWS CLI, JavaScript v2 and Go v1 send the model's long prefix; JavaScript v3 and Go v2 the service name.
    targetAliases: ['CloudTrail_20131101'],
    signingName,
    // LookupEvents answers an out-of-range MaxResults with InvalidMaxResultsException, not the
    // front end's ValidationException, so the range is left to the handler.
    shapes: { ...shapes, MaxResults: { type: 'integer' } },
    operations,
    audit: { eventSource: 'cloudtrail.amazonaws.com' },
    handlers: handlerTable<Operations>(lookupOperations(deps)),
  };
}
