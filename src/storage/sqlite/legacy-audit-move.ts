import { dirname, join } from 'node:path';
import { AUDIT_DB_FILE, openAuditDatabase } from './audit-database.js';
import type { Db } from './sqlite-durable.js';

const ENTRY_COLUMNS = ['sequence', 'record', 'previous_hash', 'hash', 'event_id', 'event_time', 'event_name', 'event_source', 'read_only',
  'username', 'access_key_id', 'resource_name', 'resource_type'];
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
    copyRows(db, target, 'audit_entries', ENTRY_COLUMNS, 'hash');
    copyRows(db, target, 'audit_digests', DIGEST_COLUMNS, 'signature');
  } finally {
    target.close();
  }
}

/** Copies a table keyed by sequence, in chunks; a row already present must match on `check`. */
function copyRows(from: Db, to: Db, table: string, columns: string[], check: string): void {
  const insert = to.prepare(
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')}) ON CONFLICT (sequence) DO NOTHING`,
  );
  const present = to.prepare(`SELECT ${check} FROM ${table} WHERE sequence = ?`).pluck();
  const commit = to.transaction((rows: Record<string, unknown>[]) => {
    for (const row of rows) {
      if (insert.run(row).changes === 0 && present.get(row.sequence) !== row[check]) {
        throw new Error(`${to.name} already holds a different ${table} row ${String(row.sequence)}: the audit log in ${from.name} was not moved`);
      }
    }
  });
  let chunk: Record<string, unknown>[] = [];
  for (const row of from.prepare(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY sequence`).iterate()) {
    chunk.push(row as Record<string, unknown>);
    if (chunk.length === CHUNK) {
      commit(chunk);
      chunk = [];
    }
  }
  commit(chunk);
}
