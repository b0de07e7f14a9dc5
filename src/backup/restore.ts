import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { BackupError, readBackup, type BackupManifest } from './backup-archive.js';

/** Writes a backup's files into `dir`, which must be empty or absent; the root key file, if given, beside them. */
export function restoreBackup(file: string, dir: string, rootKeyFile?: string): BackupManifest {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new BackupError(`${dir} is not empty: restore into an empty or new directory, so that nothing of another data directory mixes with the backup`);
  }
  const { manifest, files } = readBackup(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  for (const [name, bytes] of files) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, bytes, { mode: 0o600 });
  }
  if (rootKeyFile) {
    copyFileSync(rootKeyFile, join(dir, 'root-key'));
    chmodSync(join(dir, 'root-key'), 0o600);
  }
  return manifest;
}

/** SQLite's integrity check of each database of a restored (or unpacked) directory: problems, or none. */
export function checkDatabases(dir: string): string[] {
  const problems: string[] = [];
  for (const name of ['coffer.db', 'audit.db']) {
    const db = new Database(join(dir, name), { readonly: true, fileMustExist: true });
    try {
      const result = db.pragma('integrity_check', { simple: true });
      if (result !== 'ok') problems.push(`${name}: ${String(result)}`);
    } finally {
      db.close();
    }
  }
  return problems;
}
