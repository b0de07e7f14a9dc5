import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { digestHash, type Digest } from './digest.js';

/**
 * Digests as files of their own, one per digest, so that they can leave the
 * data directory (copied, shipped, kept where whoever can write the data
 * cannot), as CloudTrail delivers its digest files apart from the logs.
 * Each file is the digest as JSON, with its own hash (what `coffer audit
 * verify --digest-hash` takes) and the algorithms, named after the time it
 * was signed and the sequence it covers, so that a listing sorts by time.
 */
export function digestFileName(digest: Digest): string {
  return `coffer-digest-${digest.time.replace(/[-:.]/g, '')}-${digest.sequence}.json`;
}

export function digestFileText(digest: Digest): string {
  return `${JSON.stringify({ ...digest, digestHash: digestHash(digest), hashAlgorithm: 'SHA-256', signatureAlgorithm: 'Ed25519' }, null, 2)}\n`;
}

/** The digest a file holds, or an error naming the file. */
export function parseDigestFile(text: string, path: string): Digest {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`${path} is not a digest file (not JSON)`);
  }
  const { sequence, hash, time, signature, version, previousDigestHash, previousDigestSignature, intervalSeconds } = parsed;
  if (typeof sequence !== 'number' || typeof hash !== 'string' || typeof time !== 'string' || typeof signature !== 'string' || (version !== 1 && version !== 2)) {
    throw new Error(`${path} is not a digest file (no sequence, hash, time, signature and version)`);
  }
  const digest: Digest = { sequence, hash, time, signature, version };
  if (version === 2) {
    Object.assign(digest, { previousDigestHash, previousDigestSignature, intervalSeconds });
  }
  return digest;
}

/** The digests of a digest file, or of every digest file in a directory. */
export function readDigestFiles(path: string): Digest[] {
  if (!existsSync(path)) throw new Error(`no digest file or directory at ${path}`);
  if (!statSync(path).isDirectory()) return [parseDigestFile(readFileSync(path, 'utf8'), path)];
  return readdirSync(path)
    .filter((name) => /^coffer-digest-.*\.json$/.test(name))
    .sort()
    .map((name) => parseDigestFile(readFileSync(join(path, name), 'utf8'), join(path, name)));
}

/**
 * Writes each digest's file unless it is already there: written aside,
 * synced, then renamed into place and the directory synced, so that a file
 * in the directory is always whole.
 */
export function writeDigestFiles(dir: string, digests: readonly Digest[]): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let added = false;
  for (const digest of digests) {
    const path = join(dir, digestFileName(digest));
    if (existsSync(path)) continue;
    const partial = `${path}.partial`;
    writeFileSync(partial, digestFileText(digest), { mode: 0o644 });
    syncPath(partial, 'r+');
    renameSync(partial, path);
    added = true;
  }
  if (added) syncPath(dir, 'r');
}

function syncPath(path: string, flags: string): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
