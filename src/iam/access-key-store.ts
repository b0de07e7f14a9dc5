import { randomBytes } from 'node:crypto';
import type { RootCipher } from '../keys/root-key.js';
import { EpochCache } from '../storage/epoch-cache.js';
import type { Storage } from '../storage/index.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface ResolvedAccessKey {
  principalArn: string;
  secretAccessKey: string;
}

const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Access keys: the secret half is stored only under the root key. */
export class AccessKeyStore {
  /**
   * Resolved active keys by id, so that a request costs no database read nor
   * root-key decryption; dropped whenever stored data changes.
   */
  private readonly resolved: EpochCache<ResolvedAccessKey>;

  constructor(
    private readonly storage: Storage,
    private readonly rootKey: RootCipher,
  ) {
    this.resolved = new EpochCache(() => storage.changeEpoch());
  }

  async create(principalArn: string, now = Date.now()): Promise<Credentials> {
    const bytes = randomBytes(16);
    let suffix = '';
    for (let i = 0; i < 16; i++) suffix += KEY_ID_ALPHABET[bytes[i]! & 31];
    const accessKeyId = `AKIA${suffix}`;
    const secretAccessKey = randomBytes(30).toString('base64').replace(/[+/]/g, 'A');
    await this.storage.transaction((tx) =>
      tx.accessKeys.insert({
        accessKeyId,
        encryptedSecret: this.rootKey.seal(Buffer.from(secretAccessKey), accessKeyPurpose(accessKeyId)),
        principalArn,
        status: 'Active',
        createdAt: now,
      }),
    );
    return { accessKeyId, secretAccessKey };
  }

  /** The active key's principal and secret, or undefined for an unknown or inactive key. */
  resolve(accessKeyId: string): Promise<ResolvedAccessKey | undefined> {
    return this.resolved.getOrLoad(accessKeyId, async () => {
      const record = await this.storage.accessKeys.find(accessKeyId);
      if (!record || record.status !== 'Active') return undefined;
      return {
        principalArn: record.principalArn,
        secretAccessKey: this.rootKey.open(record.encryptedSecret, accessKeyPurpose(accessKeyId)).toString('utf8'),
      };
    });
  }

  /** Drops every resolved secret (the server was sealed). */
  forgetAll(): void {
    this.resolved.clear();
  }

  count(): Promise<number> {
    return this.storage.accessKeys.count();
  }
}

export function accessKeyPurpose(accessKeyId: string): string {
  return `access-key:${accessKeyId}`;
}
