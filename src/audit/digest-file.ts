import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { digestHash, type Digest } from './digest.js';
import { writeFileDurably } from './durable-file.js';

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
  return digestFrom(parsed, path);
}

/** A digest from its JSON form (a digest file, an archive segment's digest line), or an error naming where it came from. */
export function digestFrom(parsed: Record<string, unknown>, where: string): Digest {
  const { sequence, hash, time, signature, version, previousDigestHash, previousDigestSignature, intervalSeconds } = parsed;
  if (typeof sequence !== 'number' || typeof hash !== 'string' || typeof time !== 'string' || typeof signature !== 'string' || (version !== 1 && version !== 2)) {
    throw new Error(`${where} is not a digest (no sequence, hash, time, signature and version)`);
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

/** Writes each digest's file unless it is already there; a file in the directory is always whole. */
export function writeDigestFiles(dir: string, digests: readonly Digest[]): void {
  for (const digest of digests) {
    const name = digestFileName(digest);
    if (!existsSync(join(dir, name))) writeFileDurably(dir, name, digestFileText(digest));
  }
}
