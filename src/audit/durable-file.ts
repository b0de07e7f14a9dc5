import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes a file so that it is either absent or whole after a crash: written
 * aside, synced, renamed into place, then the directory synced.
 */
export function writeFileDurably(dir: string, name: string, data: string | Uint8Array): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, name);
  const partial = `${path}.partial`;
  writeFileSync(partial, data, { mode: 0o600 });
  syncPath(partial, 'r+');
  renameSync(partial, path);
  syncPath(dir, 'r');
}

function syncPath(path: string, flags: string): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
