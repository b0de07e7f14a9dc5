import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { DataDirError, fileError } from '../../errors/file-error.js';
import type { DataDirMarks } from '../data-dir-marks.js';
import type { OpenedStore } from '../opened-store.js';
import { AUDIT_DB_FILE, openAuditDatabase } from './audit-database.js';
import { hasTable, markInitialized, readAuditState, readCofferState, writeAuditState, writeCofferState, type CofferDbState } from './data-dir-state.js';
import { openSqlite, type Db } from './sqlite-database.js';
import { SqliteStorage } from './sqlite-storage.js';

export const COFFER_DB_FILE = 'coffer.db';

/**
 * The files Coffer keeps in a data directory (the databases and their WAL
 * and shared-memory files, the root key provider's state, the administrator
 * credentials, the audit public key). Anything else (a log file, lost+found)
 * does not make a directory "not empty".
 */
const COFFER_FILE = /^((coffer|audit)\.db(-wal|-shm)?|root-key.*|credentials|audit-public-key\.pem)$/;

const REMEDY =
  'Restore the data directory, all its files together, from a backup; or, if you have decided that what is missing is lost, ' +
  'start once with --accept-data-loss (the acceptance is recorded in the audit log)';

export interface DataDirOptions {
  /** Worker processes share the files: the primary checked them before starting the workers. */
  shared?: boolean;
  /** Start on what is there: a person has decided that what is missing is lost. */
  acceptDataLoss?: boolean;
  logger: Logger;
}

export interface SqliteDataDir extends OpenedStore {
  storage: SqliteStorage;
  /** The high-water marks the audit log carries into audit.db, and brings back from it. */
  marks: DataDirMarks;
}

/**
 * Opens the SQLite data directory: coffer.db as the store, after checking that
 * its files belong together. An empty directory gets a new store. Otherwise
 * each file must be there and not emptied, coffer.db must pass SQLite's
 * integrity check, coffer.db and audit.db must carry the same deployment id,
 * and neither may be behind the high-water mark the other holds of it (which
 * a lost or damaged WAL would leave). What does not hold is refused with a
 * message naming the file, unless `acceptDataLoss`.
 */
export function openSqliteDataDir(dir: string, options: DataDirOptions): SqliteDataDir {
  const path = join(dir, COFFER_DB_FILE);
  const marks: DataDirMarks = { commits: 0, auditSequence: 0 };
  if (options.shared) {
    return { storage: new SqliteStorage(openSqlite(path, { shared: true }), true, marks), marks, accepted: [], completeFirstStart: () => undefined };
  }
  prepareDirectory(dir);
  const accepted: string[] = [];
  const problem = (what: string): void => {
    if (!options.acceptDataLoss) throw new DataDirError(`refusing to start on ${dir}: ${what}. ${REMEDY}.`);
    options.logger.warn({ dataDir: dir, problem: what }, 'starting with --accept-data-loss although the data directory lost data');
    accepted.push(what);
  };
  const files = cofferFiles(dir);
  const others = [...files.keys()].filter((name) => !/^coffer\.db(-shm)?$/.test(name) && !name.endsWith('-shm'));
  const cofferGone = gone(files, COFFER_DB_FILE);
  if (cofferGone && others.length) {
    problem(`coffer.db is ${cofferGone}, although the data directory holds ${others.join(', ')}`);
    removeDatabase(dir, COFFER_DB_FILE);
  }
  let state: CofferDbState | undefined;
  const db = openSqlite(path, {
    check(db) {
      // A new coffer.db (an empty directory, or a loss accepted) has nothing to check yet.
      if (!cofferGone) checkIntegrity(db, path);
      state = readCofferState(db);
      let adopted = false;
      if (!state) {
        const coffers = hasTable(db, 'schema_migrations');
        if (!coffers && !cofferGone && others.length) problem(`coffer.db holds no Coffer data, although the data directory holds ${others.join(', ')}`);
        // A coffer.db made by a version that kept no deployment id is adopted as it is.
        adopted = coffers;
        state = { deploymentId: randomUUID(), initialized: adopted, commits: 0, auditSequence: 0 };
      }
      bindAuditDatabase(dir, files, state, { adopted, replaced: cofferGone !== undefined && others.length > 0 }, problem);
      writeCofferState(db, state);
      marks.commits = state.commits;
      marks.auditSequence = state.auditSequence;
    },
  });
  return {
    storage: new SqliteStorage(db, false, marks),
    marks,
    accepted,
    completeFirstStart() {
      if (!state!.initialized) markInitialized(db);
    },
  };
}

/**
 * Opens audit.db. A crash can leave pages in audit.db that only its WAL
 * completes (a checkpoint cut short): without the WAL, SQLite then finds the
 * file malformed, and it is the lost WAL that is named.
 */
function openWithoutLostWal(path: string, files: Map<string, number>, state: CofferDbState, problem: (what: string) => void): Db {
  try {
    return openAuditDatabase(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_CORRUPT' && !files.get(`${AUDIT_DB_FILE}-wal`) && state.auditSequence > 0) {
      problem(
        `audit.db cannot be read (${code}) and has no audit.db-wal beside it: audit.db-wal was lost or damaged, or audit.db itself; ` +
          `coffer.db records that ${state.auditSequence} audit records were written`,
      );
    }
    throw error;
  }
}

/**
 * Checks audit.db against coffer.db's state and binds it: its row names the
 * deployment and holds coffer.db's commit count as its mark, and coffer.db's
 * state takes the audit head as its own (both true now, and durable).
 * `adopted`: coffer.db was made by a version that kept no state; `replaced`:
 * it was lost, and a new one takes its place (a loss already accepted).
 */
function bindAuditDatabase(
  dir: string,
  files: Map<string, number>,
  state: CofferDbState,
  { adopted, replaced }: { adopted: boolean; replaced: boolean },
  problem: (what: string) => void,
): void {
  const auditGone = gone(files, AUDIT_DB_FILE);
  // An earlier version's data directory had its audit log in coffer.db: audit.db is made by a migration.
  if (auditGone && state.initialized && !adopted) {
    problem(`audit.db is ${auditGone}: the audit log of this data directory is gone (coffer.db has served requests it recorded)`);
    removeDatabase(dir, AUDIT_DB_FILE);
  }
  const audit = openWithoutLostWal(join(dir, AUDIT_DB_FILE), files, state, problem);
  try {
    const found = readAuditState(audit);
    if (found.deploymentId === undefined) {
      if (state.initialized && !adopted && !auditGone) problem('audit.db is not the audit log of this data directory (it names no deployment)');
    } else if (found.deploymentId !== state.deploymentId) {
      if (state.initialized || (found.head > 0 && !replaced)) {
        problem(`audit.db and coffer.db belong to different data directories (deployments ${found.deploymentId} and ${state.deploymentId})`);
      }
    } else {
      if (state.commits < found.cofferCommits) {
        problem(
          `coffer.db-wal was lost or damaged: coffer.db holds ${state.commits} committed writes, but audit.db records that ${found.cofferCommits} were acknowledged, ` +
            `so the last ${found.cofferCommits - state.commits} are missing`,
        );
      }
      if (found.head < state.auditSequence) {
        problem(
          `audit.db-wal was lost or damaged (or audit.db was replaced by an older copy): the audit log ends at record ${found.head}, ` +
            `but coffer.db records that ${state.auditSequence} were written`,
        );
      }
    }
    writeAuditState(audit, state.deploymentId, state.commits);
    state.auditSequence = found.head;
  } finally {
    audit.close();
  }
}

/**
 * SQLite's integrity check: every page, and every index against its table. A
 * damaged index page would otherwise make rows that are there answer "not
 * found". Its cost is in the README (a few seconds per million secrets).
 */
function checkIntegrity(db: Db, path: string): void {
  let problems: string[];
  try {
    problems = (db.pragma('integrity_check(5)') as { integrity_check: string }[]).map((row) => row.integrity_check);
  } catch (error) {
    throw fileError(error, path, 'check');
  }
  if (problems.length === 1 && problems[0] === 'ok') return;
  throw new DataDirError(
    `refusing to start: ${path} is damaged (SQLite's integrity check: ${problems.join('; ').replace(/\s+/g, ' ')}), and answers from it could be wrong. ` +
      'Restore the data directory, all its files together, from a backup',
  );
}

/** Makes the directory if need be, for the server's user alone. */
export function prepareDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw fileError(error, dir, 'create the data directory', { directory: true });
  }
  try {
    chmodSync(dir, 0o700);
  } catch (error) {
    throw fileError(error, dir, 'make the data directory private (mode 0700)', { directory: true });
  }
}

/** Coffer's files in the directory, with their sizes. */
function cofferFiles(dir: string): Map<string, number> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw fileError(error, dir, 'list the data directory', { directory: true });
  }
  const files = new Map<string, number>();
  for (const name of names.filter((n) => COFFER_FILE.test(n))) {
    try {
      files.set(name, statSync(join(dir, name)).size);
    } catch (error) {
      throw fileError(error, join(dir, name), 'read');
    }
  }
  return files;
}

/** 'missing' or 'empty' (no byte in it nor in its WAL) for a database that is gone, else undefined. */
function gone(files: Map<string, number>, database: string): 'missing' | 'empty' | undefined {
  const size = files.get(database);
  if (size === undefined) return 'missing';
  return size === 0 && !files.get(`${database}-wal`) ? 'empty' : undefined;
}

/** A database whose loss was accepted goes with its WAL, which must not be replayed into a new file. */
function removeDatabase(dir: string, database: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, database + suffix), { force: true });
}
