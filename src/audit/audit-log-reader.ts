import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIT_DB_FILE } from '../storage/sqlite/audit-database.js';
import { ARCHIVE_COLUMNS, DIGEST_COLUMNS, toDigest, type ArchiveSegmentRecord } from '../storage/sqlite/sqlite-audit-repository.js';
import { CHAIN_COLUMNS } from '../storage/rows/audit-rows.js';
import type { AuditChainRecord } from '../storage/index.js';
import type { AuditRecord } from './cloudtrail-record.js';
import type { Digest } from './digest.js';
import type { Entry } from './hash-chain.js';

/** Entries read per query: a ten-million-row log is never held in memory at once. */
export const PAGE_SIZE = 5_000;

/** How long to wait for a lock before saying the database is in use. */
const LOCK_WAIT_MS = 1_000;

/**
 * A data directory's audit log, read straight from its database files with
 * read-only connections: audit.db for the chain and the digests, coffer.db
 * for the settings (a data directory an earlier version wrote keeps its log
 * in coffer.db until the next start moves it). A running server holds
 * coffer.db with an exclusive lock, so its settings are then not read; it
 * shares audit.db (WAL, no exclusive lock), which is read in one read
 * transaction: a snapshot of the log as it was at the first read, whatever
 * the server appends meanwhile. A copy (the .db files with their -wal files,
 * taken while the server is stopped) reads as well as the original.
 */
export class AuditLogReader {
  private readonly page;

  private constructor(
    private readonly main: Connection | undefined,
    private readonly log: Connection,
    /** The log is still in coffer.db, where digests were never chained. */
    private readonly legacy: boolean,
  ) {
    this.page = log.read((db) => db.prepare(`SELECT ${CHAIN_COLUMNS} FROM audit_entries WHERE sequence > ? ORDER BY sequence LIMIT ?`));
    // Every read from here to close() sees one snapshot.
    log.read((db) => db.exec('BEGIN'));
  }

  /** Opens the data directory's log (coffer.db only if no running server holds it). */
  static open(dataDir: string): AuditLogReader {
    const main = Connection.openUnlessHeld(join(dataDir, 'coffer.db'));
    let log: Connection | undefined;
    try {
      const legacy = main?.read((db) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_entries'").get());
      log = legacy ? main! : Connection.open(join(dataDir, AUDIT_DB_FILE));
      return new AuditLogReader(main, log, Boolean(legacy));
    } catch (error) {
      if (log !== main) log?.close();
      main?.close();
      throw error;
    }
  }

  /** False while a running server holds coffer.db: its settings cannot be read. */
  get settingsReadable(): boolean {
    return this.main !== undefined;
  }

  /** Every signed digest, oldest first. They are few (one per many entries), so they are read at once. */
  digests(): Digest[] {
    // A log still in coffer.db, or in an audit.db no server of this version has opened yet, has only unchained digests.
    const chained = !this.legacy && this.hasTable('audit_archives');
    const columns = chained ? DIGEST_COLUMNS : 'sequence, hash, time, signature, 1 AS version, NULL, NULL, NULL';
    return this.log.read((db) => (db.prepare(`SELECT ${columns} FROM audit_digests ORDER BY sequence`).all() as Parameters<typeof toDigest>[0][]).map(toDigest));
  }

  /** The segments moved to archive files, oldest first (none before this version's schema). */
  archives(): ArchiveSegmentRecord[] {
    if (this.legacy || !this.hasTable('audit_archives')) return [];
    return this.log.read((db) => db.prepare(`SELECT ${ARCHIVE_COLUMNS} FROM audit_archives ORDER BY first_sequence`).all() as ArchiveSegmentRecord[]);
  }

  private hasTable(name: string): boolean {
    return this.log.read((db) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name)) !== undefined;
  }

  /** A setting's value, if the database has it and can be read. */
  setting(name: string): string | undefined {
    const row = this.main?.read((db) => db.prepare('SELECT value FROM settings WHERE name = ?').get(name) as { value: string } | undefined);
    return row?.value;
  }

  /** Every entry in sequence order, lazily, a page at a time. */
  *entries(pageSize = PAGE_SIZE): Generator<Entry> {
    let after = 0;
    for (;;) {
      const rows = this.log.read(() => this.page.all(after, pageSize) as AuditChainRecord[]);
      for (const row of rows) yield chainEntry(row);
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]!.sequence;
    }
  }

  close(): void {
    this.log.read((db) => db.exec('COMMIT'));
    if (this.log !== this.main) this.log.close();
    this.main?.close();
  }
}

/** A read-only connection whose errors name its file and what the operator can do. */
class Connection {
  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {}

  static open(path: string): Connection {
    if (!existsSync(path)) throw new Error(`no database at ${path}`);
    try {
      return new Connection(new Database(path, { readonly: true, fileMustExist: true, timeout: LOCK_WAIT_MS }), path);
    } catch (error) {
      throw explain(error, path);
    }
  }

  /** The connection, or undefined if a running server holds the file exclusively. */
  static openUnlessHeld(path: string): Connection | undefined {
    const connection = Connection.open(path);
    try {
      connection.db.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get();
      return connection;
    } catch (error) {
      connection.close();
      const { code } = error as { code?: string };
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return undefined;
      throw explain(error, path);
    }
  }

  read<T>(query: (db: Database.Database) => T): T {
    try {
      return query(this.db);
    } catch (error) {
      throw explain(error, this.path);
    }
  }

  close(): void {
    this.db.close();
  }
}

/** A stored chain entry as the verifier takes it, whatever its record holds. */
export function chainEntry(row: AuditChainRecord): Entry {
  return { sequence: row.sequence, record: parseRecord(row.recordJson), previousHash: row.previousHash, hash: row.hash };
}

/**
 * A record that is not even JSON was altered: stand in a value no entry's hash
 * can cover, so that the verifier names the entry as altered rather than the
 * whole run failing.
 */
function parseRecord(json: string): AuditRecord {
  try {
    return JSON.parse(json) as AuditRecord;
  } catch {
    return { unparseableRecord: json } as unknown as AuditRecord;
  }
}

/** SQLite's terse errors, said in terms of what the operator can do about them. */
function explain(error: unknown, path: string): Error {
  const { code, message } = error as { code?: string; message?: string };
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new Error(
      `${path} is locked, most likely by a running server (it holds its database exclusively): ` +
        'stop the server, or verify a copy of the data directory taken while it was stopped',
    );
  }
  if (code === 'SQLITE_NOTADB') return new Error(`${path} is not a SQLite database`);
  if (/no such table/.test(message ?? '')) return new Error(`${path} has no audit log (${message})`);
  return new Error(`${path}: ${message ?? String(error)}`);
}
