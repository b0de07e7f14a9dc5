import type { AuditSink, SinkEntry } from './audit-sink.js';

export interface TimedSink extends AuditSink {
  /** False after a write failed or timed out, until a later write is confirmed in time. */
  healthy(): boolean;
}

/**
 * A sink whose writes reject if the inner sink has not confirmed them within
 * `ms`, so that a hanging sink fails requests instead of freezing the server.
 * The inner write keeps running after a timeout; later writes queue behind it
 * rather than run beside it, so the inner sink still sees one write at a time,
 * in order. The deadline counts from the call, time spent queued included.
 */
export function withTimeout(sink: AuditSink, ms: number): TimedSink {
  let ok = true;
  /** Settles when the last inner call started or queued has settled. */
  let idle: Promise<unknown> = Promise.resolve();

  const enqueue = (call: () => Promise<void>): Promise<void> => {
    const run = idle.then(call);
    idle = run.catch(() => undefined);
    return run;
  };

  return {
    name: sink.name,
    healthy: () => ok,
    async write(entries: readonly SinkEntry[]): Promise<void> {
      try {
        await deadline(enqueue(() => sink.write(entries)), ms, `audit sink ${sink.name} did not confirm within ${ms} ms`);
        ok = true;
      } catch (error) {
        ok = false;
        throw error;
      }
    },
    close: () => deadline(enqueue(() => sink.close()), ms, `audit sink ${sink.name} did not close within ${ms} ms`),
  };
}

/** The promise's outcome, or a rejection with `message` if it takes longer than `ms`. */
function deadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
