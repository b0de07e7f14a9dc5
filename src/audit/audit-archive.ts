import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';
import { AUDIT_DB_FILE, openAuditDatabase } from '../storage/sqlite/audit-database.js';
import type { Db } from '../storage/sqlite/sqlite-durable.js';
import { SqliteAuditRepository, type ArchiveSegmentRecord } from '../storage/sqlite/sqlite-audit-repository.js';
import type { AuditRecord } from './cloudtrail-record.js';
import { digestFrom } from './digest-file.js';
import type { Digest } from './digest.js';
import { writeFileDurably } from './durable-file.js';
import type { Entry } from './hash-chain.js';
import { entryLine } from './jsonl-file-sink.js';

/**
 * Archive segments: as CloudTrail delivers records older than its 90 days of
 * event history to archive files, the chain's older entries move out of
 * audit.db into gzip-compressed JSON Lines files, one per segment, each
 * holding its entries (the audit file format) and the digests signed over
 * them, one `{"digest":{...}}` line each, first. A segment always ends at a
 * signed digest, and the live log keeps that last entry and digest: the
 * chain (and the digest chain) go on from them, and `coffer audit verify`
 * checks archive and live log as one chain.
 */

/** Where segments go by default, inside the data directory. */
export const ARCHIVE_DIR_NAME = 'audit-archive';

/** Entries a segment holds at most (unless a single digest interval holds more): a few seconds of compression off the writer's path. */
export const MAX_SEGMENT_ENTRIES = 50_000;

const gzipAsync = promisify(gzip);

export function segmentFileName(first: number, last: number): string {
  const pad = (n: number) => String(n).padStart(12, '0');
  return `audit-${pad(first)}-${pad(last)}.jsonl.gz`;
}

/**
 * Moves the entries covered by digests signed before `before` out of the
 * live log, a segment at a time (at most `maxSegments`): each is written
 * and synced to its file first, then recorded and removed from audit.db in
 * one transaction, so a crash in between leaves the entries live (and the
 * file is written again). Compression runs off the thread (zlib's pool).
 */
export async function archiveSegments(db: Db, dir: string, before: Date, maxSegments = 16): Promise<ArchiveSegmentRecord[]> {
  const audit = new SqliteAuditRepository(db);
  const written: ArchiveSegmentRecord[] = [];
  while (written.length < maxSegments) {
    const after = audit.archivedUpTo();
    const cut = audit.archiveCut(after, before.toISOString(), MAX_SEGMENT_ENTRIES);
    if (!cut) break;
    const first = after + 1;
    const lines = [
      ...audit.digestsInRange(first, cut.sequence).map((digest) => `${JSON.stringify({ digest })}\n`),
      ...audit.chainRange(first, cut.sequence).map(entryLine),
    ];
    const bytes = await gzipAsync(lines.join(''));
    const segment: ArchiveSegmentRecord = {
      first,
      last: cut.sequence,
      file: segmentFileName(first, cut.sequence),
      sha256: createHash('sha256').update(bytes).digest('hex'),
      archivedAt: new Date().toISOString(),
    };
    writeFileDurably(dir, segment.file, bytes);
    const recorded = db
      .transaction(() => {
        // Another process (`coffer audit archive` beside a server) may have archived it meanwhile.
        if (audit.archivedUpTo() !== after) return false;
        audit.recordArchive(segment);
        return true;
      })
      .immediate();
    if (!recorded) continue;
    written.push(segment);
  }
  return written;
}

/** `coffer audit archive`: archives a data directory's log (its server running or not: audit.db is shared). */
export async function archiveDataDir(dataDir: string, dir: string, before: Date): Promise<ArchiveSegmentRecord[]> {
  const path = join(dataDir, AUDIT_DB_FILE);
  if (!existsSync(path)) throw new Error(`no audit log at ${path}`);
  const db = openAuditDatabase(path);
  try {
    return await archiveSegments(db, dir, before, Number.POSITIVE_INFINITY);
  } finally {
    db.close();
  }
}

/** The archived entries, then the live log's: its first entry, the last archived one kept live, only once. */
export function* continued(archived: Iterable<Entry>, live: Iterable<Entry>): Generator<Entry> {
  let last: Entry | undefined;
  for (const entry of archived) {
    last = entry;
    yield entry;
  }
  for (const entry of live) {
    // A different entry at that sequence is yielded, for the verifier to name.
    if (last && entry.sequence === last.sequence && entry.hash === last.hash) continue;
    yield entry;
  }
}

/** Digests from archive and live log (a segment's last digest is also live), each once, oldest first. */
export function uniqueDigests(digests: readonly Digest[]): Digest[] {
  const seen = new Map<string, Digest>();
  for (const digest of digests) seen.set(`${digest.sequence} ${digest.signature}`, digest);
  return [...seen.values()].sort((a, b) => a.sequence - b.sequence);
}

/** A segment file missing, changed or unreadable: named with the entries it held. */
export class ArchiveSegmentError extends Error {}

/** The recorded segments of a log, read from their directory, with every check a verifier needs. */
export class ArchiveReader {
  constructor(
    readonly dir: string,
    readonly segments: readonly ArchiveSegmentRecord[],
  ) {}

  /** Every digest the segments hold, oldest first. */
  digests(): Digest[] {
    return this.segments.flatMap((segment) => this.read(segment).digests);
  }

  /** Every entry the segments hold, in order, a segment at a time. */
  *entries(): Generator<Entry> {
    for (const segment of this.segments) yield* this.read(segment).entries;
  }

  private read(segment: ArchiveSegmentRecord): { digests: Digest[]; entries: Entry[] } {
    const path = join(this.dir, segment.file);
    const name = `archive segment ${segment.file} (entries ${segment.first}–${segment.last})`;
    if (!existsSync(path)) throw new ArchiveSegmentError(`${name} is missing from ${this.dir}`);
    const bytes = readFileSync(path);
    if (createHash('sha256').update(bytes).digest('hex') !== segment.sha256) {
      throw new ArchiveSegmentError(`${name} is damaged: its SHA-256 is not the one recorded when it was written`);
    }
    let text: string;
    try {
      text = gunzipSync(bytes).toString('utf8');
    } catch (error) {
      throw new ArchiveSegmentError(`${name} is damaged: ${(error as Error).message}`);
    }
    const digests: Digest[] = [];
    const entries: Entry[] = [];
    text.split('\n').forEach((line, i) => {
      if (!line) return;
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new ArchiveSegmentError(`${name} is damaged: line ${i + 1} is not JSON`);
      }
      if (parsed.digest) digests.push(digestFrom(parsed.digest as Record<string, unknown>, `${name}, line ${i + 1},`));
      else entries.push(parsed as unknown as Entry & { record: AuditRecord });
    });
    const outside = entries.find((entry) => entry.sequence < segment.first || entry.sequence > segment.last);
    if (outside) throw new ArchiveSegmentError(`${name} is damaged: it holds entry ${outside.sequence}`);
    return { digests, entries };
  }
}
