import { randomBytes } from 'node:crypto';
import type { RootCipher } from '../keys/root-key.js';
import { accessKeyPurpose } from '../keys/root-sealed-purposes.js';
import { ChangeCache } from '../storage/change-cache.js';
import { accessKeyChange } from '../storage/change-keys.js';
import type { AccessKeyRecord, Repositories, Storage } from '../storage/index.js';
import { newSessionToken, sessionTokenDigest } from './session-token.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SessionCredentials extends Credentials {
  sessionToken: string;
}

export interface ResolvedAccessKey {
  principalArn: string;
  secretAccessKey: string;
  expiresAt?: number;
  /** STS sessions: the digest of the token requests must carry (see session-token.ts). */
  sessionTokenHash?: string;
  sessionIssuerArn?: string;
  sessionPolicy?: string;
  /** When the key was issued: a principal created later (deleted and re-created) does not own it. */
  issuedAt?: number;
}

/** What a session's key carries besides its expiry. */
export interface SessionGrant {
  expiresAt: number;
  /** Role sessions: the role. */
  issuerArn?: string;
  /** The session policy (JSON). */
  policy?: string;
}

/** The columns a temporary key may add to a long-term one. */
type TemporaryFields = Pick<AccessKeyRecord, 'expiresAt' | 'sessionTokenHash' | 'sessionIssuerArn' | 'sessionPolicy'>;

const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Access keys: the secret half is stored only under the root key. */
export class AccessKeyStore {
  /**
   * Resolved active keys by id, so that a request costs no database read nor
   * root-key decryption; dropped when the key changes.
   */
  private readonly resolved: ChangeCache<ResolvedAccessKey & { accessKeyId: string }>;

  constructor(
    private readonly storage: Storage,
    private readonly rootKey: RootCipher,
  ) {
    this.resolved = new ChangeCache(storage.changes, (key) => [accessKeyChange(key.accessKeyId)]);
  }

  /** A long-term key; `guard` runs first in the same unit of work (a quota check) and may refuse. */
  async create(principalArn: string, now = Date.now(), guard?: (tx: Repositories) => Promise<void>): Promise<Credentials> {
    return this.insert('AKIA', principalArn, now, {}, guard);
  }

  /**
   * STS session credentials (GetSessionToken, AssumeRole): usable only with the session token,
   * which is returned here once and stored only as a digest.
   */
  async createSession(principalArn: string, grant: SessionGrant, now = Date.now()): Promise<SessionCredentials> {
    const sessionToken = newSessionToken();
    const credentials = await this.insert('ASIA', principalArn, now, {
      expiresAt: grant.expiresAt,
      sessionTokenHash: sessionTokenDigest(sessionToken),
      ...(grant.issuerArn ? { sessionIssuerArn: grant.issuerArn } : {}),
      ...(grant.policy ? { sessionPolicy: grant.policy } : {}),
    });
    return { ...credentials, sessionToken };
  }

  private async insert(
    prefix: string,
    principalArn: string,
    now: number,
    temporary: TemporaryFields = {},
    guard?: (tx: Repositories) => Promise<void>,
  ): Promise<Credentials> {
    const bytes = randomBytes(16);
    let suffix = '';
    for (let i = 0; i < 16; i++) suffix += KEY_ID_ALPHABET[bytes[i]! & 31];
    const accessKeyId = `${prefix}${suffix}`;
    const secretAccessKey = randomBytes(30).toString('base64').replace(/[+/]/g, 'A');
    await this.storage.transaction(async (tx) => {
      await guard?.(tx);
      await tx.accessKeys.insert({
        accessKeyId,
        encryptedSecret: await this.rootKey.sealIn(tx, Buffer.from(secretAccessKey), accessKeyPurpose(accessKeyId)),
        principalArn,
        status: 'Active',
        createdAt: now,
        ...temporary,
      });
    });
    return { accessKeyId, secretAccessKey };
  }

  /**
   * The active key's principal and secret, or undefined for an unknown or inactive key. A
   * temporary key past its expiry is still returned (until the sweeper removes it), so that
   * its user hears that the token expired: check `expiresAt`.
   * A signed request has brought the caches up to date (`Storage.syncChanges`) before it asks.
   */
  async resolve(accessKeyId: string): Promise<ResolvedAccessKey | undefined> {
    return this.resolved.getOrLoad(accessKeyId, async () => {
      const record = await this.storage.accessKeys.find(accessKeyId);
      if (!record || record.status !== 'Active') return undefined;
      const { principalArn, expiresAt, sessionTokenHash, sessionIssuerArn, sessionPolicy } = record;
      return {
        accessKeyId,
        principalArn,
        secretAccessKey: this.rootKey.open(record.encryptedSecret, accessKeyPurpose(accessKeyId)).toString('utf8'),
        issuedAt: record.createdAt,
        ...definedOnly({ expiresAt, sessionTokenHash, sessionIssuerArn, sessionPolicy }),
      };
    });
  }

  /** Ends a key before its expiry (a rotation's session, once the rotation is over). */
  revoke(accessKeyId: string): Promise<void> {
    return this.storage.transaction((tx) => tx.accessKeys.delete(accessKeyId));
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

function definedOnly<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}
