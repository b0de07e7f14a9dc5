import type { NewVersion, Repositories, SecretRecord, Storage, UnitOfWork } from '../storage/index.js';
import type { ReplicaSync } from './replica-sync.js';
import { withTransaction } from '../storage/storage-with-transaction.js';

/** The writes that change what a replica carries, and the secret each one changes. */
const SECRET_WRITES: Record<string, (args: unknown[]) => number> = {
  insertVersion: ([version]) => (version as NewVersion).secretId,
  fillVersion: ([version]) => (version as NewVersion).secretId,
  setStages: ([id]) => id as number,
  pruneVersions: ([id]) => id as number,
  deleteVersions: ([id]) => id as number,
};

/**
 * The storage with every unit of work followed by replication: whatever the unit changed of a
 * primary secret (a version, labels, metadata, by whichever path: an API call, a rotation step,
 * the scheduler) reaches its replicas in the same unit, before it commits. So a replica is never
 * behind an acknowledged change, and a change is never half-replicated.
 */
export function replicating(storage: Storage, sync: ReplicaSync): Storage {
  const transaction: Storage['transaction'] = (work) =>
    storage.transaction(async (tx) => {
      // Secrets the unit changed; the record it last stored, where it stored one.
      const changed = new Map<number, SecretRecord | undefined>();
      const result = await work(noting(tx, changed));
      for (const [id, stored] of changed) {
        const primary = stored ?? (await tx.secrets.findById(id));
        if (primary?.replicas?.length) await sync.syncAll(tx, primary);
      }
      return result;
    });
  return withTransaction(storage, transaction);
}

/** The unit's repositories, noting in `changed` each secret written through them. */
function noting(tx: UnitOfWork, changed: Map<number, SecretRecord | undefined>): UnitOfWork {
  const secrets = Object.create(tx.secrets) as Record<string, unknown>;
  const repository = tx.secrets as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  secrets.update = async (secret: SecretRecord) => {
    await tx.secrets.update(secret);
    changed.set(secret.id, secret);
  };
  for (const [method, secretOf] of Object.entries(SECRET_WRITES)) {
    secrets[method] = async (...args: unknown[]) => {
      const result = await repository[method]!(...args);
      const id = secretOf(args);
      if (!changed.has(id)) changed.set(id, undefined);
      return result;
    };
  }
  return { ...tx, secrets: secrets as unknown as Repositories['secrets'] };
}
