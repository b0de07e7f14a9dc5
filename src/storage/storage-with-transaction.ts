import type { Storage } from './repositories.js';

/** `storage` whose units of work run through `transaction` (which wraps the storage's own); everything else as it is. */
export function withTransaction(storage: Storage, transaction: Storage['transaction']): Storage {
  return new Proxy(storage, {
    get(target, property) {
      if (property === 'transaction') return transaction;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
