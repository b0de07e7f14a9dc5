import { open, seal } from './aes-gcm.js';
import { ServiceError } from '../errors/service-error.js';
import type { Repositories } from '../storage/index.js';
import { readRootKeyState } from './root-key-state.js';

/** What wraps and unwraps under the root key: a RootKey, or the server's RootKeyRing. */
export interface RootCipher {
  /**
   * Wraps for the unit of work `unit` that stores the result: the unit reads the
   * root key's generation, so that a rotation committing meanwhile conflicts
   * with it (PostgreSQL SERIALIZABLE) or wholly precedes it (SQLite's one writer).
   */
  sealIn(unit: Pick<Repositories, 'settings'>, plaintext: Buffer, purpose: string): Promise<Buffer>;
  open(sealed: Buffer, purpose: string): Buffer;
}

/**
 * The root of the key hierarchy. It wraps KMS key material and the secret
 * parts of access keys; where it is kept is the provider's business
 * (root-key-providers.ts).
 */
export class RootKey implements RootCipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the root key must be 32 bytes');
  }

  seal(plaintext: Buffer, purpose: string): Buffer {
    return seal(this.key, plaintext, Buffer.from(purpose));
  }

  /** A key on its own is the only one there is: nothing to read. */
  async sealIn(_unit: Pick<Repositories, 'settings'>, plaintext: Buffer, purpose: string): Promise<Buffer> {
    return this.seal(plaintext, purpose);
  }

  open(sealed: Buffer, purpose: string): Buffer {
    return open(this.key, sealed, Buffer.from(purpose));
  }

  /** Zeroes the key: a sealed server keeps no copy. */
  destroy(): void {
    this.key.fill(0);
  }
}

export function sealedError(): ServiceError {
  return new ServiceError(
    'ServiceUnavailableException',
    'Coffer is sealed: no secret or key can be used until an operator unseals it (coffer operator unseal).',
    { status: 503, messageKey: 'message' },
  );
}

/** Answered instead of an internal error when another process may have rotated the key under a request: retried, it is served. */
export function rootKeyChangedError(): ServiceError {
  return new ServiceError('ServiceUnavailableException', 'The root key changed while this request was served: retry the request.', {
    status: 503,
    messageKey: 'message',
  });
}

/**
 * The running server's root key: present while unsealed, absent while sealed.
 * Everything that wraps or unwraps goes through it, so sealing takes effect
 * at once; whoever caches unwrapped material registers to drop it on seal.
 */
export class RootKeyRing implements RootCipher {
  private key?: RootKey;
  /** The generation of the key held (`RootKeyState`). */
  private generation = 0;
  private readonly onLock: (() => void)[] = [];
  /** Whether the database may have moved to another root key since this process last looked. */
  private behind: () => boolean = () => false;

  constructor(key?: RootKey) {
    this.key = key;
  }

  get sealed(): boolean {
    return this.key === undefined;
  }

  /** Installs the root key of `generation` (unseal, or a rotation's new key). */
  unlock(key: RootKey, generation: number): void {
    const old = this.key;
    this.replace(key, generation);
    if (old && old !== key) old.destroy();
  }

  /** Puts `key` in place and hands back the old one, intact (a rotation destroys it once committed). */
  replace(key: RootKey, generation: number): RootKey | undefined {
    const old = this.key;
    this.key = key;
    this.generation = generation;
    return old;
  }

  /** Forgets the root key and everything cached under it. */
  lock(): void {
    this.key?.destroy();
    this.key = undefined;
    this.forgetCached();
  }

  /**
   * Installs the key another process rotated to: the old one is destroyed and
   * everything cached under it forgotten, so nothing here outlives the key.
   */
  rekey(key: RootKey, generation: number): void {
    this.unlock(key, generation);
    this.forgetCached();
  }

  /** Registers what forgets unwrapped material when the key goes (sealed) or changes under this process (`rekey`). */
  whenLocked(forget: () => void): void {
    this.onLock.push(forget);
  }

  /** The root key itself (a rotation re-wraps from it); refused while sealed. */
  currentKey(): RootKey {
    return this.current();
  }

  async sealIn(unit: Pick<Repositories, 'settings'>, plaintext: Buffer, purpose: string): Promise<Buffer> {
    const { generation } = await readRootKeyState(unit);
    const key = this.current();
    // Rotated by another process that this one has not followed yet: refused before anything is stored under the old key.
    if (generation !== this.generation) throw rootKeyChangedError();
    return key.seal(plaintext, purpose);
  }

  open(sealed: Buffer, purpose: string): Buffer {
    const key = this.current();
    try {
      return key.open(sealed, purpose);
    } catch (error) {
      // Wrapped under a key another process rotated to after this request looked: never an internal error.
      if (this.behind()) throw rootKeyChangedError();
      throw error;
    }
  }

  /** Tells the ring how to know that the database may be under another key than the one it holds. */
  followedBy(behind: () => boolean): void {
    this.behind = behind;
  }

  private forgetCached(): void {
    for (const forget of this.onLock) forget();
  }

  private current(): RootKey {
    if (!this.key) throw sealedError();
    return this.key;
  }
}
