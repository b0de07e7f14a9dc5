import { userInfo } from 'node:os';
import { basename, dirname } from 'node:path';

/** The data directory, or a file of it, cannot be used: the message names the file and says what to do. */
export class DataDirError extends Error {
  /** The code of the error it rewrote (SQLite's or the file system's), if any. */
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

const PERMISSION = /^(EACCES|EPERM|EROFS|SQLITE_CANTOPEN|SQLITE_PERM|SQLITE_READONLY|SQLITE_IOERR)/;
const FULL = /^(ENOSPC|EDQUOT|SQLITE_FULL)/;
const DAMAGED = /^(SQLITE_NOTADB|SQLITE_CORRUPT)/;

/**
 * An error of the file system or of SQLite about `path`, rewritten so that it
 * names the file and what to do; `doing` says what was being done ("open",
 * "read"), `directory` whether it is one. SQLite's own messages ("unable to
 * open database file", "disk I/O error") name neither. Other errors are
 * returned as they are.
 */
export function fileError(error: unknown, path: string, doing: string, { directory = false } = {}): Error {
  const code = String((error as { code?: unknown }).code ?? '');
  const reason = `${(error as Error).message ?? String(error)}${code && !(error as Error).message?.includes(code) ? ` (${code})` : ''}`;
  let advice: string;
  if (FULL.test(code)) advice = 'the file system is full: free space, then start again';
  else if (DAMAGED.test(code)) advice = 'the file is damaged or not a Coffer file: restore the data directory from a backup';
  else if (PERMISSION.test(code)) advice = permissionAdvice(path, directory);
  else return error instanceof Error ? error : new Error(String(error));
  return new DataDirError(`cannot ${doing} ${path}: ${reason}; ${advice}`, code);
}

function permissionAdvice(path: string, directory: boolean): string {
  const { name, described } = currentUser();
  if (directory) return `the user running Coffer (${described}) must own it and be able to write to it: e.g. \`chown -R ${name} ${path}\`, or give another --data-dir`;
  const dir = dirname(path);
  const beside = /\.db$/.test(path) ? ` (SQLite makes ${basename(path)}-wal and -shm there)` : '';
  return `the user running Coffer (${described}) must be able to read and write it and write to ${dir}${beside}, on a file system mounted read-write: e.g. \`chown -R ${name} ${dir}\``;
}

function currentUser(): { name: string; described: string } {
  const uid = process.getuid?.() ?? '?';
  try {
    const { username } = userInfo();
    return { name: username, described: `${username}, uid ${uid}` };
  } catch {
    return { name: String(uid), described: `uid ${uid}` };
  }
}
