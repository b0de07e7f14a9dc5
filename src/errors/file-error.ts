import { userInfo } from 'node:os';
import { dirname } from 'node:path';

/** The data directory, or a file of it, cannot be used: the message names the file and says what to do. */
export class DataDirError extends Error {}

const PERMISSION = /^(EACCES|EPERM|EROFS|SQLITE_CANTOPEN|SQLITE_PERM|SQLITE_READONLY|SQLITE_IOERR)/;
const FULL = /^(ENOSPC|EDQUOT|SQLITE_FULL)/;
const DAMAGED = /^(SQLITE_NOTADB|SQLITE_CORRUPT)/;

/**
 * An error of the file system or of SQLite about `path`, rewritten so that it
 * names the file and what to do; `doing` says what was being done ("open",
 * "read"). SQLite's own messages ("unable to open database file", "disk I/O
 * error") name neither. Other errors are returned as they are.
 */
export function fileError(error: unknown, path: string, doing: string): Error {
  const code = String((error as { code?: unknown }).code ?? '');
  const reason = `${(error as Error).message ?? String(error)}${code && !(error as Error).message?.includes(code) ? ` (${code})` : ''}`;
  let advice: string;
  if (FULL.test(code)) advice = 'the file system is full: free space, then start again';
  else if (DAMAGED.test(code)) advice = 'the file is damaged or not a Coffer file: restore the data directory from a backup';
  else if (PERMISSION.test(code)) {
    const user = currentUser();
    advice =
      `the user running Coffer (${user}) must be able to read and write it, the files beside it (-wal, -shm) and its directory ${dirname(path)}, ` +
      `on a file system mounted read-write: e.g. \`chown -R ${user.split(' ')[0]} ${dirname(path)}\``;
  } else return error instanceof Error ? error : new Error(String(error));
  return new DataDirError(`cannot ${doing} ${path}: ${reason}; ${advice}`);
}

function currentUser(): string {
  try {
    const { username, uid } = userInfo();
    return `${username} uid ${uid}`;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}
