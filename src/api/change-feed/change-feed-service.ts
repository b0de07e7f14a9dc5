import { cofferService, handlerTable, type ApiService } from '../operation.js';
import type { ChangeFeedApiDeps } from './change-feed-deps.js';
import { changeFeedOperations } from './change-feed-operations.js';
import * as model from './change-feed-model.js';

export type { ChangeFeedApiDeps } from './change-feed-deps.js';

/** Coffer's change feed: GetChanges, for clients that keep secrets in memory and must hear when they change. */
export function changeFeedService(deps: ChangeFeedApiDeps): ApiService {
  return cofferService(model, {
    audit: { eventSource: 'change-feed.coffer' },
    handlers: handlerTable<model.Operations>(changeFeedOperations(deps)),
    // Every signed caller may poll; what it hears is decided per secret.
    authorization: async () => 'handler',
  });
}
