import { join } from 'node:path';
import type { AuditRepository } from '../storage/index.js';
import { ARCHIVE_DIR_NAME, ArchiveReader, continued, uniqueDigests } from './audit-archive.js';
import { toEntryRecord } from './stored-entry.js';
import { AuditLogReader } from './audit-log-reader.js';

/** Entries appended per statement. */
const BATCH = 1_000;

/**
 * Copies a stopped server's audit log (its archive segments, then audit.db) into another
 * store's empty chain, entry for entry with their hashes, and its signed digests: the copy
 * verifies as the original does and is written on from its head.
 */
export async function copyAuditLog(dataDir: string, target: AuditRepository): Promise<{ entries: number; digests: number }> {
  const log = AuditLogReader.open(dataDir);
  try {
    const archive = new ArchiveReader(join(dataDir, ARCHIVE_DIR_NAME), log.archives());
    let entries = 0;
    let batch = [];
    for (const entry of continued(archive.entries(), log.entries())) {
      batch.push(toEntryRecord(entry));
      if (batch.length === BATCH) {
        await target.append(batch);
        entries += batch.length;
        batch = [];
      }
    }
    await target.append(batch);
    entries += batch.length;
    const digests = uniqueDigests([...archive.digests(), ...log.digests()]);
    for (const digest of digests) await target.addDigest(digest);
    return { entries, digests: digests.length };
  } finally {
    log.close();
  }
}
