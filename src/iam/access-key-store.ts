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
  scopeSecretArn?: string;
  expiresAt?: number;
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
    private readonly clock: () => number = Date.now,
  ) {
    this.resolved = new EpochCache(() => storage.changeEpoch());
  }

  async create(principalArn: string, now = Date.now()): Promise<Credentials> {
    return this.insert('AKIA', principalArn, now);
  }

  /**
   * A key that works until `expiresAt` and only on one secret: what a rotation
   * function run as a command gets. (ASIA, as AWS names temporary keys.)
   */
  createTemporary(principalArn: string, scope: { secretArn: string; expiresAt: number }, now = Date.now()): Promise<Credentials> {
    return this.insert('ASIA', principalArn, now, scope);
  }

  private async insert(prefix: string, principalArn: string, now: number, scope?: { secretArn: string; expiresAt: number }): Promise<Credentials> {
    const bytes = randomBytes(16);
    let suffix = '';
    for (let i = 0; i < 16; i++) suffix += KEY_ID_ALPHABET[bytes[i]! & 31];
    const accessKeyId = `${prefix}${suffix}`;
    const secretAccessKey = randomBytes(30).toString('base64').replace(/[+/]/g, 'A');
    await this.storage.transaction((tx) =>
      tx.accessKeys.insert({
        accessKeyId,
        encryptedSecret: this.rootKey.seal(Buffer.from(secretAccessKey), accessKeyPurpose(accessKeyId)),
        principalArn,
        status: 'Active',
        createdAt: now,
        ...(scope ? { expiresAt: scope.expiresAt, scopeSecretArn: scope.secretArn } : {}),
      }),
    );
    return { accessKeyId, secretAccessKey };
  }

  /** The active key's principal and secret, or undefined for an unknown, inactive or expired key. */
  async resolve(accessKeyId: string): Promise<ResolvedAccessKey | undefined> {
    const key = await this.resolved.getOrLoad(accessKeyId, async () => {
      const record = await this.storage.accessKeys.find(accessKeyId);
      if (!record || record.status !== 'Active') return undefined;
      return {
        principalArn: record.principalArn,
        secretAccessKey: this.rootKey.open(record.encryptedSecret, accessKeyPurpose(accessKeyId)).toString('utf8'),
        scopeSecretArn: record.scopeSecretArn,
        expiresAt: record.expiresAt,
      };
    });
    return key && (key.expiresAt === undefined || key.expiresAt > this.clock()) ? key : undefined;
  }

  /** Removes temporary keys past their expiry; returns how many. */
  deleteExpired(now: number): Promise<number> {
    return this.storage.transaction((tx) => tx.accessKeys.deleteExpired(now));
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
