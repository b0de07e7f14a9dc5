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
   * Opened secrets by key id, each with the sealed form it came from: the record
   * is read on every request (so a removed or deactivated key stops at once),
   * but the root-key decryption is done once per key.
   */
  private readonly opened = new Map<string, { sealed: Buffer; secret: string }>();

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
    const record = await this.storage.accessKeys.find(accessKeyId);
    if (!record || record.status !== 'Active') return undefined;
    const cached = this.opened.get(accessKeyId);
    if (cached && cached.sealed.equals(record.encryptedSecret)) {
      return { principalArn: record.principalArn, secretAccessKey: cached.secret };
    }
    const secret = this.rootKey.open(record.encryptedSecret, purpose(accessKeyId)).toString('utf8');
    if (this.opened.size >= 10_000) this.opened.clear();
    this.opened.set(accessKeyId, { sealed: record.encryptedSecret, secret });
    return { principalArn: record.principalArn, secretAccessKey: secret };
  }

  count(): Promise<number> {
    return this.storage.accessKeys.count();
  }
}

function purpose(accessKeyId: string): string {
  return `access-key:${accessKeyId}`;
}
