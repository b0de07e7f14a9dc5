import { Worker } from 'node:worker_threads';
import type { AuditCall, AuditReply, AuditThreadConfig } from './audit-thread-protocol.js';

interface Waiting {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

const ENTRY_POINT = new URL('./audit-thread.js', import.meta.url);

/**
 * The main thread's handle on the audit thread: calls are messages, answered
 * in turn. Should the thread die, every call waiting on it fails (so the
 * requests they stand for fail closed) and the next call starts a new one.
 */
export class AuditThread {
  private worker?: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private closed = false;

  private constructor(private readonly config: AuditThreadConfig) {}

  /** Starts the thread and opens the audit database; rejects if it cannot be opened. */
  static async start(config: AuditThreadConfig): Promise<AuditThread> {
    const thread = new AuditThread(config);
    try {
      await thread.spawn().opened;
    } catch (error) {
      await thread.close().catch(() => undefined);
      throw error;
    }
    return thread;
  }

  call<T = void>(request: AuditCall): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the audit log is closed'));
    return this.send<T>(this.worker ?? this.spawn().worker, request);
  }

  /** Lets the thread finish what it was given, close its database and sinks, and end. */
  async close(): Promise<void> {
    if (this.closed || !this.worker) {
      this.closed = true;
      return;
    }
    const worker = this.worker;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    try {
      await this.call({ op: 'close' });
    } finally {
      this.closed = true;
      await worker.terminate();
      await exited;
    }
  }

  private send<T>(worker: Worker, request: AuditCall): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...request, id });
    });
  }

  /** A new thread, told first of all to open the database (a later call that finds it unopened fails with the reason). */
  private spawn(): { worker: Worker; opened: Promise<void> } {
    const worker = new Worker(ENTRY_POINT);
    worker.on('message', (reply: AuditReply) => this.settle(reply));
    const stopped = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const error = new Error(`the audit thread stopped: ${reason}`);
      for (const waiting of this.waiting.values()) waiting.reject(error);
      this.waiting.clear();
    };
    worker.on('error', (error) => stopped(error.message));
    worker.on('exit', (code) => stopped(`exit code ${code}`));
    this.worker = worker;
    const opened = this.send<void>(worker, { op: 'open', config: this.config });
    // Only the first start waits for the opening; later calls learn of a failure from their own answers.
    opened.catch(() => undefined);
    return { worker, opened };
  }

  private settle(reply: AuditReply): void {
    for (const id of reply.ids) {
      const waiting = this.waiting.get(id);
      if (!waiting) continue;
      this.waiting.delete(id);
      if (reply.ok) waiting.resolve(reply.value);
      else waiting.reject(new Error(reply.error));
    }
  }
}
