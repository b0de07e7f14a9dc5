import { randomBytes, scryptSync } from 'node:crypto';
import { RootKey } from './root-key.js';

export type ProviderKind = 'file' | 'passphrase' | 'kms' | 'shamir';

/**
 * Where the root key comes from. A provider makes a new key together with the
 * state that brings it back (kept in the data directory under `stateFile`),
 * and opens a key from that state. The shamir provider keeps no state: its key
 * arrives in shares, by unseal.
 */
export interface RootKeyProvider {
  readonly kind: ProviderKind;
  readonly description: string;
  readonly stateFile?: string;
  create(): Promise<{ key: RootKey; state: string }>;
  open(state: string): Promise<RootKey>;
}

/** The default: 32 random bytes in a file of the data directory, mode 0600. */
export class FileRootKeyProvider implements RootKeyProvider {
  readonly kind = 'file';
  readonly stateFile = 'root-key';
  readonly description = 'key file root-key in the data directory';

  async create(): Promise<{ key: RootKey; state: string }> {
    const bytes = randomBytes(32);
    return { key: new RootKey(Buffer.from(bytes)), state: bytes.toString('base64') };
  }

  async open(state: string): Promise<RootKey> {
    const key = Buffer.from(state.trim(), 'base64');
    if (key.length !== 32) throw new Error('the root key file does not hold a 32-byte key');
    return new RootKey(key);
  }
}

/** scrypt of a passphrase, with a random salt kept beside the database. */
export class PassphraseRootKeyProvider implements RootKeyProvider {
  readonly kind = 'passphrase';
  readonly stateFile = 'root-key.salt';
  readonly description = 'passphrase (scrypt)';

  constructor(private passphrase: string) {
    if (!passphrase) throw new Error('the passphrase root key provider needs a passphrase');
  }

  /** Sealing forgets the passphrase: only an operator who gives it again unseals. */
  forget(): void {
    this.passphrase = '';
  }

  /** Whether it can derive the key: not once sealing made it forget the passphrase. */
  knows(): boolean {
    return this.passphrase !== '';
  }

  /** Takes the passphrase given at unseal. */
  remember(passphrase: string): void {
    this.passphrase = passphrase;
  }

  async create(): Promise<{ key: RootKey; state: string }> {
    const salt = randomBytes(16).toString('base64');
    return { key: await this.open(salt), state: salt };
  }

  async open(state: string): Promise<RootKey> {
    if (!this.passphrase) throw new Error('the passphrase was forgotten when Coffer was sealed: unseal with the passphrase');
    const salt = Buffer.from(state.trim(), 'base64');
    // N=2^15 keeps start-up near 100 ms while making guessing costly.
    return new RootKey(scryptSync(this.passphrase, salt, 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }));
  }
}

/** The key comes in shares (`coffer operator unseal`); nothing of it is stored. */
export class ShamirRootKeyProvider implements RootKeyProvider {
  readonly kind = 'shamir';
  readonly description = 'Shamir shares given by operators at unseal';

  async create(): Promise<{ key: RootKey; state: string }> {
    throw new Error('a shamir root key is made by `coffer operator init`');
  }

  async open(): Promise<RootKey> {
    throw new Error('a shamir root key is rebuilt from shares by `coffer operator unseal`');
  }
}
