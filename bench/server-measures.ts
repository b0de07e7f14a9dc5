/**
 * What a bench reads off a running Coffer server besides its answers: the CPU
 * time of each of its threads, and the bytes its audit.db keeps.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { round, threadCpuMs } from './server-process.js';

/** CPU time per request of a server's threads over a run, in µs (from /proc, 10 ms ticks). */
export interface ThreadCpu {
  main: number;
  /** The busiest thread besides the main one: Coffer's audit thread, which writes every request's record. */
  audit: number;
  /** The rest: V8's garbage collection and compilation helpers, libuv's pool. */
  other: number;
}

/** Starts measuring a process's threads; the returned function ends the measurement over `requests` requests. */
export function measureThreads(pid: number): (requests: number) => ThreadCpu {
  const before = threadCpuMs(pid);
  return (requests) => {
    const deltas = [...threadCpuMs(pid)].map(([tid, ms]) => ({ tid, ms: ms - (before.get(tid) ?? 0) }));
    const main = deltas.find((d) => d.tid === pid)?.ms ?? 0;
    const others = deltas.filter((d) => d.tid !== pid).sort((a, b) => b.ms - a.ms);
    const audit = others[0]?.ms ?? 0;
    const rest = others.slice(1).reduce((sum, d) => sum + d.ms, 0);
    const perRequest = (ms: number) => round((ms * 1000) / Math.max(1, requests), 1);
    return { main: perRequest(main), audit: perRequest(audit), other: perRequest(rest) };
  };
}

/** What audit.db holds: its entries and the bytes of its pages (SQLite's dbstat), read from a live server's file. */
export interface AuditStorage {
  entries: number;
  bytes: number;
  tables: Record<string, number>;
}

export function auditStorage(dataDir: string): AuditStorage {
  const db = new Database(join(dataDir, 'audit.db'), { readonly: true, fileMustExist: true });
  try {
    const entries = (db.prepare('SELECT coalesce(max(sequence), 0) FROM audit_entries').pluck().get() as number) ?? 0;
    const rows = db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name').all() as { name: string; bytes: number }[];
    return { entries, bytes: rows.reduce((sum, r) => sum + r.bytes, 0), tables: Object.fromEntries(rows.map((r) => [r.name, r.bytes])) };
  } finally {
    db.close();
  }
}

/** audit.db once LookupEvents' index has taken in every entry (it follows the chain by up to 200 ms; at most 5 s). */
export async function settledAuditStorage(dataDir: string): Promise<AuditStorage> {
  const db = new Database(join(dataDir, 'audit.db'), { readonly: true, fileMustExist: true });
  try {
    const waiting = db.prepare('SELECT count(*) FROM audit_lookup_pending').pluck();
    for (let i = 0; i < 50 && (waiting.get() as number) > 0; i++) await new Promise((r) => setTimeout(r, 100));
  } finally {
    db.close();
  }
  return auditStorage(dataDir);
}

/** Bytes per entry added between two readings, in all and per table (tables that grew). */
export function auditGrowth(before: AuditStorage, after: AuditStorage): { entries: number; bytesPerEntry: number; tables: Record<string, number> } {
  const entries = after.entries - before.entries;
  const per = (bytes: number) => round(bytes / Math.max(1, entries), 0);
  const tables = Object.fromEntries(
    Object.entries(after.tables)
      .map(([name, bytes]) => [name, per(bytes - (before.tables[name] ?? 0))] as const)
      .filter(([, bytes]) => bytes > 0)
      .sort((a, b) => b[1] - a[1]),
  );
  return { entries, bytesPerEntry: per(after.bytes - before.bytes), tables };
}
