import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gunzipSync } from 'node:zlib';

/**
 * A Coffer backup file: gzip of a first line naming the format, a line of JSON (the manifest:
 * each file's name, size and SHA-256), then the files' bytes one after another. It holds the
 * databases as they are on disk: secret values and key material stay sealed under the root
 * key, which a backup never holds.
 */
export const BACKUP_FORMAT_LINE = 'COFFER-BACKUP 1';

export const ENCRYPTION_NOTE =
  'Secret values and key material in this backup are encrypted under the root key of the data directory, which the backup does not hold: restoring it needs that root key (the root-key file, the passphrase, the KMS key or the Shamir shares), and without it the backup reveals no secret.';

export interface BackupFileEntry {
  /** Its path in a data directory: coffer.db, audit.db, audit-archive/…, audit-public-key.pem, root-key.salt, root-key.kms. */
  name: string;
  bytes: number;
  sha256: string;
}

export interface BackupManifest {
  createdAt: string;
  cofferVersion: string;
  rootKeyProvider: string;
  encryption: string;
  files: BackupFileEntry[];
}

export class BackupError extends Error {}

/** A file's SHA-256 (hex) and size, read as a stream. */
export function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    createReadStream(path)
      .on('data', (chunk: string | Buffer) => {
        hash.update(chunk);
        bytes += chunk.length;
      })
      .on('end', () => resolve({ sha256: hash.digest('hex'), bytes }))
      .on('error', reject);
  });
}

/** Writes the backup of `files` (name → the path of its copy) to `path`. */
export async function writeBackup(path: string, files: { name: string; path: string }[], about: Omit<BackupManifest, 'files' | 'encryption'>): Promise<BackupManifest> {
  const entries = await Promise.all(files.map(async (file) => ({ name: file.name, ...(await sha256File(file.path)) })));
  const manifest: BackupManifest = { ...about, encryption: ENCRYPTION_NOTE, files: entries };
  async function* content(): AsyncGenerator<Buffer> {
    yield Buffer.from(`${BACKUP_FORMAT_LINE}\n${JSON.stringify(manifest)}\n`);
    for (const file of files) yield* createReadStream(file.path) as AsyncIterable<Buffer>;
  }
  await pipeline(Readable.from(content()), createGzip(), createWriteStream(path, { mode: 0o600 }));
  return manifest;
}

/** Reads a backup: its manifest and each file, every size and SHA-256 checked. */
export function readBackup(path: string): { manifest: BackupManifest; files: Map<string, Buffer> } {
  let data: Buffer;
  try {
    data = gunzipSync(readFileSync(path));
  } catch (error) {
    throw new BackupError(`${path} is not a Coffer backup (${(error as Error).message})`);
  }
  const first = data.indexOf(0x0a);
  const second = first < 0 ? -1 : data.indexOf(0x0a, first + 1);
  if (second < 0 || data.subarray(0, first).toString() !== BACKUP_FORMAT_LINE) throw new BackupError(`${path} is not a Coffer backup (no ${BACKUP_FORMAT_LINE} header)`);
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(data.subarray(first + 1, second).toString()) as BackupManifest;
  } catch {
    throw new BackupError(`${path}: its manifest is damaged`);
  }
  const files = new Map<string, Buffer>();
  let at = second + 1;
  for (const entry of manifest.files) {
    const bytes = data.subarray(at, at + entry.bytes);
    at += entry.bytes;
    if (bytes.length !== entry.bytes) throw new BackupError(`${path} is cut short: ${entry.name} has ${bytes.length} of its ${entry.bytes} bytes`);
    if (createHash('sha256').update(bytes).digest('hex') !== entry.sha256) throw new BackupError(`${path}: ${entry.name} does not match its SHA-256 (the file is damaged)`);
    if (entry.name.split('/').some((part) => part === '..' || part === '') || entry.name.startsWith('/')) throw new BackupError(`${path}: a file name escapes the data directory: ${entry.name}`);
    files.set(entry.name, bytes);
  }
  if (at !== data.length) throw new BackupError(`${path} holds ${data.length - at} bytes its manifest does not name`);
  return { manifest, files };
}
