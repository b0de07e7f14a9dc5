import { randomUUID } from 'node:crypto';
import type { Worker } from 'node:cluster';
import type { UnsealMaterial, UnsealPeers } from '../keys/root-key-manager.js';

/**
 * The material one worker was unsealed with (a passphrase, Shamir shares, or a
 * rotation's new ones) reaches the server's other workers over node:cluster's
 * own channel to the primary: one unseal opens the whole server. The sender
 * answers its operator once every other worker has taken it.
 */
const WAIT_MS = 30_000;

type Message =
  | { cofferUnseal: UnsealMaterial; id: string }
  | { cofferUnsealTaken: string }
  | { cofferUnsealShared: string };

/** In the primary: passes material from one worker to the others and tells the sender when all took it. */
export function relayUnsealMaterial(workers: () => Worker[]): (from: Worker, message: unknown) => void {
  const pending = new Map<string, { from: Worker; waiting: number }>();
  const taken = (id: string) => {
    const entry = pending.get(id);
    if (!entry || --entry.waiting > 0) return;
    pending.delete(id);
    if (entry.from.isConnected()) entry.from.send({ cofferUnsealShared: id } satisfies Message);
  };
  return (from, message) => {
    const m = message as Partial<Record<string, unknown>> | null;
    if (typeof m?.cofferUnsealTaken === 'string') return taken(m.cofferUnsealTaken);
    if (typeof m?.id !== 'string' || typeof m.cofferUnseal !== 'object') return;
    const others = workers().filter((worker) => worker !== from && worker.isConnected());
    pending.set(m.id, { from, waiting: others.length + 1 });
    for (const worker of others) worker.send(m as Message);
    taken(m.id);
  };
}

/** In a worker: the peers of its root key manager. */
export function workerUnsealPeers(): UnsealPeers {
  const waiting = new Map<string, () => void>();
  let take: ((material: UnsealMaterial) => Promise<void>) | undefined;
  process.on('message', (message: Partial<Record<string, unknown>> | null) => {
    if (typeof message?.cofferUnsealShared === 'string') waiting.get(message.cofferUnsealShared)?.();
    if (typeof message?.id !== 'string' || typeof message.cofferUnseal !== 'object') return;
    const id = message.id;
    // Taken or not (the manager logs why not), the sender stops waiting for this worker.
    void (take?.(message.cofferUnseal as UnsealMaterial) ?? Promise.resolve())
      .catch(() => undefined)
      .finally(() => process.send?.({ cofferUnsealTaken: id } satisfies Message));
  });
  return {
    share(material) {
      if (!process.send) return Promise.resolve();
      const id = randomUUID();
      return new Promise<void>((resolve) => {
        // A worker that stopped meanwhile never answers: the sender goes on after a while.
        const timer = setTimeout(done, WAIT_MS);
        function done(): void {
          clearTimeout(timer);
          waiting.delete(id);
          resolve();
        }
        waiting.set(id, done);
        process.send!({ cofferUnseal: material, id } satisfies Message);
      });
    },
    onMaterial(receive) {
      take = receive;
    },
  };
}
