import { chmodSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileError } from '../errors/file-error.js';
import type { RootKeyProvider } from './root-key-providers.js';

/**
 * The providers' state files in the data directory. A rotation writes the new
 * key's state beside the current one (`<file>.next`) before its database
 * transaction commits and promotes it after, so that at every instant the key
 * the database needs can be found, whatever crashes when.
 */
export class RootKeyFiles {
  constructor(private readonly dataDir: string) {}

  read(provider: RootKeyProvider, next = false): string | undefined {
    const path = this.path(provider, next);
    if (!path || !existsSync(path)) return undefined;
    try {
      // A key file others can read is tightened, not trusted as it is.
      chmodSync(path, 0o600);
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw fileError(error, path, 'read the root key file');
    }
  }

  /** Writes durably (data and directory entry) and privately. */
  write(provider: RootKeyProvider, state: string, next = false): void {
    const path = this.path(provider, next)!;
    const temporary = `${path}.tmp`;
    try {
      writeFileSync(temporary, state, { mode: 0o600 });
      this.fsync(temporary);
      renameSync(temporary, path);
      this.fsync(this.dataDir);
    } catch (error) {
      throw fileError(error, path, 'write the root key file');
    }
  }

  promote(provider: RootKeyProvider): void {
    renameSync(this.path(provider, true)!, this.path(provider)!);
    this.fsync(this.dataDir);
  }

  remove(provider: RootKeyProvider, next = false): void {
    const path = this.path(provider, next);
    if (path) rmSync(path, { force: true });
  }

  private path(provider: RootKeyProvider, next = false): string | undefined {
    return provider.stateFile && join(this.dataDir, next ? `${provider.stateFile}.next` : provider.stateFile);
  }

  private fsync(path: string): void {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
