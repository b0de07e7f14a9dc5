import { cofferService, handlerTable, type ApiService } from '../operation.js';
import type { OperatorApiDeps } from './operator-deps.js';
import { operatorOperations } from './operator-operations.js';
import * as model from './operator-model.js';

export type { OperatorApiDeps } from './operator-deps.js';

/**
 * Seal status, Shamir initialization, unseal, seal, root key rotation and backups.
 * Status, init and unseal answer a sealed server without a signature: the
 * access keys that signatures are checked against are themselves sealed, and
 * the shares or the passphrase are the proof of authority.
 */
export function operatorService(deps: OperatorApiDeps): ApiService {
  return cofferService(model, {
    audit: { eventSource: 'operator.coffer' },
    handlers: handlerTable<model.Operations>(operatorOperations(deps)),
    unauthenticated: new Set(['GetSealStatus', 'Initialize', 'Unseal']),
  });
}
