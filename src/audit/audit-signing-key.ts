import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { RootKeyRing } from '../keys/root-key.js';
import { AUDIT_SIGNING_KEY_PURPOSE as PURPOSE, AUDIT_SIGNING_KEY_SETTING as PRIVATE_SETTING } from '../keys/root-sealed-purposes.js';
import type { Storage } from '../storage/index.js';

const PUBLIC_SETTING = 'audit-public-key';

/**
 * The Ed25519 key that signs digests of the audit chain, made on first use.
 * The private half is kept only sealed under the root key; the public half is
 * written beside the data (and should be copied elsewhere: a verifier that
 * takes the key from the data it checks trusts whoever can rewrite that data).
 */
export class AuditSigningKey {
  private key?: KeyObject;

  constructor(
    private readonly storage: Storage,
    private readonly ring: RootKeyRing,
    /** Where the public key is written as PEM; absent for an in-memory server. */
    private readonly publicKeyFile?: string,
  ) {
    ring.whenLocked(() => (this.key = undefined));
  }

  /** The private key, or undefined while the server is sealed. */
  async get(): Promise<KeyObject | undefined> {
    if (this.ring.sealed) return undefined;
    if (this.key) return this.key;
    const sealed = await this.storage.settings.get(PRIVATE_SETTING);
    if (sealed !== undefined) return this.unseal(sealed);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    // Another process sharing the database (--workers) may have made one meanwhile: then that one is the key.
    const theirs = await this.storage.transaction(async (tx) => {
      const made = await tx.settings.get(PRIVATE_SETTING);
      if (made !== undefined) return made;
      await tx.settings.set(PRIVATE_SETTING, (await this.ring.sealIn(tx, der, PURPOSE)).toString('base64'));
      await tx.settings.set(PUBLIC_SETTING, pem);
      return undefined;
    });
    der.fill(0);
    if (theirs !== undefined) return this.unseal(theirs);
    this.key = privateKey;
    return privateKey;
  }

  /**
   * Makes the key if there is none yet and puts its public half in the data
   * directory (again, if it was removed). The only writer of that file, run at
   * every unseal, so that `coffer audit verify` never waits for the first digest.
   * A file that holds another key (another data directory's) is refused, or
   * replaced when `replaceOther` (a person accepted that the data changed).
   */
  async publish(replaceOther = false): Promise<void> {
    await this.get();
    if (!this.publicKeyFile) return;
    const pem = await this.storage.settings.get(PUBLIC_SETTING);
    if (pem === undefined) return;
    if (existsSync(this.publicKeyFile) && !replaceOther) {
      if (readFileSync(this.publicKeyFile, 'utf8').trim() === pem.trim()) return;
      throw new Error(
        `refusing to start: ${this.publicKeyFile} is not the public key of this data directory's audit signing key (it comes from another data directory, or was changed). ` +
          'Remove it to have it written again from coffer.db, or restore the data directory, all its files together, from a backup',
      );
    }
    writeFileSync(this.publicKeyFile, pem, { mode: 0o644 });
  }

  private unseal(sealed: string): KeyObject {
    this.key = createPrivateKey({ key: this.ring.open(Buffer.from(sealed, 'base64'), PURPOSE), format: 'der', type: 'pkcs8' });
    return this.key;
  }
}
