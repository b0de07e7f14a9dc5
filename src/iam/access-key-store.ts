import { randomBytes } from 'node:crypto';
import type { RootKey } from '../keys/root-key.js';
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
   * root-key decryption. Every change to an access key goes through this store,
   * which forgets the key (see `forget`); until keys can change, only creation
   * writes them.
   */
  private readonly resolved = new Map<string, ResolvedAccessKey>();

  constructor(
    private readonly storage: Storage,
    private readonly rootKey: RootKey,
  ) {}

  async create(principalArn: string, now = Date.now()): Promise<Credentials> {
    const bytes = randomBytes(16);
    let suffix = '';
    for (let i = 0; i < 16; i++) suffix += KEY_ID_ALPHABET[bytes[i]! & 31];
    const accessKeyId = `AKIA${suffix}`;
    const secretAccessKey = randomBytes(30).toString('base64').replace(/[+/]/g, 'A');
    await this.storage.transaction((tx) =>
      tx.accessKeys.insert({
        accessKeyId,
        encryptedSecret: this.rootKey.seal(Buffer.from(secretAccessKey), purpose(accessKeyId)),
        principalArn,
        status: 'Active',
        createdAt: now,
      }),
    );
    return { accessKeyId, secretAccessKey };
  }

  /** The active key's principal and secret, or undefined for an unknown or inactive key. */
  async resolve(accessKeyId: string): Promise<ResolvedAccessKey | undefined> {
    const cached = this.resolved.get(accessKeyId);
    if (cached) return cached;
    const record = await this.storage.accessKeys.find(accessKeyId);
    if (!record || record.status !== 'Active') return undefined;
    const key = {
      principalArn: record.principalArn,
      secretAccessKey: this.rootKey.open(record.encryptedSecret, purpose(accessKeyId)).toString('utf8'),
    };
    if (this.resolved.size >= 10_000) this.resolved.clear();
    this.resolved.set(accessKeyId, key);
    return key;
  }

  /** Drops a key from the cache; called by whatever changes or removes it. */
  forget(accessKeyId: string): void {
    this.resolved.delete(accessKeyId);
  }

  count(): Promise<number> {
    return this.storage.accessKeys.count();
  }
}

function purpose(accessKeyId: string): string {
  return `access-key:${accessKeyId}`;
}
