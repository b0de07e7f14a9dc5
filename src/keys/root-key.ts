import { randomBytes, scryptSync } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { open, seal } from './aes-gcm.js';

/**
 * The root of the key hierarchy. It wraps KMS key material and the secret
 * parts of access keys, and is never written anywhere in plaintext but its
 * own key file.
 */
export class RootKey {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the root key must be 32 bytes');
  }

  seal(plaintext: Buffer, purpose: string): Buffer {
    return seal(this.key, plaintext, Buffer.from(purpose));
  }

  open(sealed: Buffer, purpose: string): Buffer {
    return open(this.key, sealed, Buffer.from(purpose));
  }
}

export interface RootKeyProvider {
  readonly description: string;
  load(): RootKey;
}

/** The default: 32 random bytes in a file of the data directory, mode 0600. */
export class FileRootKeyProvider implements RootKeyProvider {
  constructor(private readonly path: string) {}

  get description(): string {
    return `key file ${this.path}`;
  }

  load(): RootKey {
    if (!existsSync(this.path)) {
      writeFileSync(this.path, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    }
    chmodSync(this.path, 0o600);
    const key = Buffer.from(readFileSync(this.path, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`the root key file ${this.path} does not hold a 32-byte key`);
    return new RootKey(key);
  }
}

/** scrypt of a passphrase, with a random salt kept beside the database. */
export class PassphraseRootKeyProvider implements RootKeyProvider {
  constructor(
    private readonly passphrase: string,
    private readonly saltPath: string,
  ) {}

  get description(): string {
    return 'passphrase (scrypt)';
  }

  load(): RootKey {
    if (!existsSync(this.saltPath)) {
      writeFileSync(this.saltPath, randomBytes(16).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    }
    const salt = Buffer.from(readFileSync(this.saltPath, 'utf8').trim(), 'base64');
    // N=2^15 keeps start-up near 100 ms while making guessing costly.
    return new RootKey(scryptSync(this.passphrase, salt, 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }));
  }
}
