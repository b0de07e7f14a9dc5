import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAnswer } from '../api/file-answer.js';
import type { AuditLog } from '../audit/audit-log.js';
import { ARCHIVE_DIR_NAME } from '../audit/audit-archive.js';
import { sha256File, writeBackup } from '../backup/backup-archive.js';
import type { SqliteStorage } from '../storage/sqlite/sqlite-storage.js';

/** Beside the two databases, what a backup carries of a data directory: public or wrapped files, never the root key or the credentials. */
const PLAIN_FILES = ['audit-public-key.pem', 'root-key.salt', 'root-key.kms'];

export interface BackupSource {
  dataDir: string;
  /** Where the audit archive segments are (by default in the data directory). */
  archiveDir?: string;
  storage: SqliteStorage;
  audit: AuditLog;
  rootKeyProvider: string;
  cofferVersion: string;
}

/**
 * A backup of a running server's data directory: coffer.db and audit.db copied by SQLite's
 * online backup in one pause of writes (so the two belong together, every write acknowledged
 * before it is in, and the audit chain verifies), with the archive segments, the audit public
 * key and the provider's wrapped root key state. Answered as a file, removed once sent.
 */
export async function createBackup(source: BackupSource): Promise<FileAnswer> {
  const work = mkdtempSync(join(tmpdir(), 'coffer-backup-'));
  try {
    const copy = (name: string) => join(work, name);
    await source.storage.backupTo(copy('coffer.db'), () => source.audit.backup(copy('audit.db')));
    const files = [{ name: 'coffer.db', path: copy('coffer.db') }, { name: 'audit.db', path: copy('audit.db') }];
    for (const name of PLAIN_FILES) if (existsSync(join(source.dataDir, name))) files.push({ name, path: join(source.dataDir, name) });
    // Segments are written once and never changed: read where they are.
    const archive = source.archiveDir ?? join(source.dataDir, ARCHIVE_DIR_NAME);
    if (existsSync(archive)) {
      for (const name of readdirSync(archive).sort()) if (name.endsWith('.jsonl.gz')) files.push({ name: `${ARCHIVE_DIR_NAME}/${name}`, path: join(archive, name) });
    }
    const path = copy('backup.coffer');
    await writeBackup(path, files, { createdAt: new Date().toISOString(), cofferVersion: source.cofferVersion, rootKeyProvider: source.rootKeyProvider });
    const { sha256, bytes } = await sha256File(path);
    return new FileAnswer(path, bytes, sha256, () => rmSync(work, { recursive: true, force: true }));
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
}
