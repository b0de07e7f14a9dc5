/**
 * The audit thread's entry point (a node:worker_threads worker started by
 * AuditThread). It owns the audit database and the sinks, so that chaining,
 * inserting and above all the sync of every commit happen off the main
 * thread. Appends that arrive while a batch is being written are written
 * together in the next transaction: a group commit per sync, however the
 * main thread happened to split them.
 */
import { parentPort } from 'node:worker_threads';
import type { Db } from '../storage/sqlite/sqlite-database.js';
import { openAuditDatabase } from '../storage/sqlite/audit-database.js';
import { cofferCommitsRecorder } from '../storage/sqlite/data-dir-state.js';
import type { AuditCall, AuditReply, AuditRequest, AuditThreadConfig } from './audit-thread-protocol.js';
import { AuditWriter, callWriter } from './audit-writer.js';
import { fileSinks } from './jsonl-file-sink.js';

const port = parentPort!;
let writer: AuditWriter | undefined;
let database: Db | undefined;
let shared = false;
let openError = 'the audit database is not open';
let appends: (AuditRequest & { op: 'append' })[] = [];
let closing: AuditRequest | undefined;
let pumping = false;

port.on('message', (request: AuditRequest) => {
  if (request.op === 'append' || request.op === 'close') {
    if (request.op === 'append') appends.push(request);
    else closing = request;
    // After this turn's other messages: they join the batch.
    if (!pumping) {
      pumping = true;
      setImmediate(() => void pump());
    }
    return;
  }
  // Everything else runs at once: statements never interleave with a transaction (those never yield), and sinks take writes in turn.
  void answer([request.id], () => handle(request));
});

async function pump(): Promise<void> {
  while (appends.length) {
    const batch = appends;
    appends = [];
    const records = batch.length === 1 ? batch[0]!.records : batch.map((r) => r.records).join('\n');
    const commits = Math.max(0, ...batch.map((r) => r.commits ?? 0));
    await answer(batch.map((r) => r.id), () => open().append(records, commits));
    // Between batches, once the waiting requests have their answer.
    writer?.maintainIndex();
  }
  pumping = false;
  if (closing) {
    await answer([closing.id], async () => writer?.close());
    port.close();
  }
}

function handle(request: Exclude<AuditCall, { op: 'append' | 'close' }>): Promise<unknown> {
  if (request.op === 'open') return Promise.resolve(start(request.config));
  if (request.op === 'backup') return backup(request.path);
  return callWriter(open(), request);
}

/**
 * Through this thread's own connection: its appends during the copy reach the copy, and the
 * copy never starts over. Where other processes (--workers) append too, their writes would make
 * the online backup start over, again and again under load: the copy is then one read
 * transaction (VACUUM INTO), a snapshot their writes do not disturb.
 */
async function backup(path: string): Promise<void> {
  open();
  if (shared) database!.prepare('VACUUM INTO ?').run(path);
  else await database!.backup(path);
}

function start(config: AuditThreadConfig): void {
  try {
    const sinks = fileSinks(config.files, config.sinkTimeoutMs);
    const db = openAuditDatabase(config.path);
    const opened = AuditWriter.onSqlite(db, sinks, { owner: config.owner, shared: config.shared }, cofferCommitsRecorder(db), config.digestDir);
    try {
      // Before any lookup is served: what is not yet indexed is scanned by every lookup.
      opened.catchUp();
    } catch (error) {
      void opened.close().catch(() => undefined);
      throw error;
    }
    writer = opened;
    database = db;
    shared = config.shared;
  } catch (error) {
    openError = `cannot open the audit database ${config.path}: ${(error as Error).message}`;
    throw new Error(openError);
  }
}

function open(): AuditWriter {
  if (!writer) throw new Error(openError);
  return writer;
}

async function answer(ids: number[], work: () => Promise<unknown>): Promise<void> {
  let reply: AuditReply;
  try {
    reply = { ids, ok: true, value: await work() };
  } catch (error) {
    reply = { ids, ok: false, error: (error as Error).message };
  }
  port.postMessage(reply);
}
