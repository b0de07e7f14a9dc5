import { dirname, join } from 'node:path';
import { AUDIT_DB_FILE, openAuditDatabase } from './audit-database.js';
import type { Db } from './sqlite-durable.js';

const CHAIN_COLUMNS = ['sequence', 'record', 'previous_hash', 'hash'];
/** The lookup keys the old chain table held beside each entry: audit.db keeps them until they are indexed. */
const KEY_COLUMNS = ['sequence', 'event_id', 'event_time', 'event_name', 'event_source', 'read_only', 'username', 'access_key_id', 'resource_name', 'resource_type'];
const DIGEST_COLUMNS = ['sequence', 'hash', 'time', 'signature'];

/** Rows per audit.db transaction while copying: a long log never makes one huge transaction. */
const CHUNK = 10_000;

/**
 * Earlier versions kept the audit log in coffer.db. This copies it into
 * audit.db beside it; the migration that calls it then drops the old tables
 * in the coffer.db transaction that records the migration as done. The copy
 * commits to audit.db first: after a crash before the drop, the next start
 * copies again, finds every row already there (same sequence, same hash) and
 * adds nothing. So no entry is lost and none is doubled; a row that differs
 * from the one already in audit.db stops the move (and the server) instead.
 */
export function moveAuditLogOut(db: Db): void {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_entries'").get();
  if (!exists || !db.prepare('SELECT EXISTS (SELECT 1 FROM audit_entries) OR EXISTS (SELECT 1 FROM audit_digests)').pluck().get()) return;
  if (db.memory) throw new Error('an in-memory database cannot move its audit log to a file');
  const target = openAuditDatabase(join(dirname(db.name), AUDIT_DB_FILE));
  try {
    copyRows(db, target, 'audit_entries', CHAIN_COLUMNS, 'hash', { table: 'audit_lookup_pending', columns: KEY_COLUMNS });
    copyRows(db, target, 'audit_digests', DIGEST_COLUMNS, 'signature');
  } finally {
    target.close();
  }
}

/**
 * Copies a table keyed by sequence, in chunks; a row already present must
 * match on `check`. Columns of `also` go to a table of their own, for the
 * rows copied now.
 */
function copyRows(from: Db, to: Db, table: string, columns: string[], check: string, also?: { table: string; columns: string[] }): void {
  const insertInto = (target: string, names: string[]) =>
    to.prepare(`INSERT INTO ${target} (${names.join(', ')}) VALUES (${names.map((c) => `@${c}`).join(', ')}) ON CONFLICT (sequence) DO NOTHING`);
  const insert = insertInto(table, columns);
  const insertAlso = also && insertInto(also.table, also.columns);
  const present = to.prepare(`SELECT ${check} FROM ${table} WHERE sequence = ?`).pluck();
  const commit = to.transaction((rows: Record<string, unknown>[]) => {
    for (const row of rows) {
      if (insert.run(row).changes === 1) insertAlso?.run(row);
      else if (present.get(row.sequence) !== row[check]) {
        throw new Error(`${to.name} already holds a different ${table} row ${String(row.sequence)}: the audit log in ${from.name} was not moved`);
      }
    }
  });
  const read = [...new Set([...columns, ...(also?.columns ?? [])])];
  let chunk: Record<string, unknown>[] = [];
  for (const row of from.prepare(`SELECT ${read.join(', ')} FROM ${table} ORDER BY sequence`).iterate()) {
    chunk.push(row as Record<string, unknown>);
    if (chunk.length === CHUNK) {
      commit(chunk);
      chunk = [];
    }
  }
  commit(chunk);
}
