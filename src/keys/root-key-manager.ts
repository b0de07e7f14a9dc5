import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ServiceError } from '../errors/service-error.js';
import { materialPurpose } from './key-service.js';
import { accessKeyPurpose, AUDIT_SIGNING_KEY_PURPOSE, AUDIT_SIGNING_KEY_SETTING, signingKeyPurpose } from './root-sealed-purposes.js';
import { RootKey, type RootKeyRing } from './root-key.js';
import { readRootKeyState as readState, ROOT_KEY_STATE_SETTING as STATE_SETTING } from './root-key-state.js';
import { settingChange } from '../storage/change-keys.js';
import type { RootKeyFiles } from './root-key-files.js';
import { FileRootKeyProvider, PassphraseRootKeyProvider, ShamirRootKeyProvider, type ProviderKind, type RootKeyProvider } from './root-key-providers.js';
import { combineShares, decodeShare, encodeShare, shareDigest, ShareError, splitSecret, type Share } from './shamir.js';
import type { Repositories, Storage } from '../storage/index.js';

const ROOT_CHECK = 'coffer-root-key-check';
const PROVIDER_SETTING = 'root-key-provider';
const THRESHOLD_SETTING = 'shamir-threshold';
/** The digest of each share by its x, to tell a forged or mistyped share at once. */
const SHARE_DIGESTS_SETTING = 'shamir-share-digests';
/** The change key of the recorded root key state. */
const STATE_CHANGE = settingChange(STATE_SETTING);
const REWRAP_PAGE = 500;
/** What an operator unsealed with (or a rotation made), handed to the other workers of one server. */
export interface UnsealMaterial {
  passphrase?: string;
  shares?: string[];
}

/** The other workers of this server (`--workers`), over the cluster's own channel. */
export interface UnsealPeers {
  /** Resolves once every other worker has taken the material. */
  share(material: UnsealMaterial): Promise<void>;
  onMaterial(take: (material: UnsealMaterial) => Promise<void>): void;
}

export interface SealStatus {
  sealed: boolean;
  initialized: boolean;
  provider: ProviderKind;
  threshold?: number;
  /** Shares given so far towards the threshold. */
  progress?: number;
  /** Names the unseal in progress: a share given with another nonce is refused. */
  nonce?: string;
}

function operatorError(message: string): ServiceError {
  return new ServiceError('InvalidRequestException', message, { messageKey: 'message' });
}

/**
 * The root key's life in a running server: loading it at start (finishing a
 * rotation a crash interrupted), sealing and unsealing, Shamir initialization,
 * and rotation to a new key or provider.
 *
 * Seal and root key are one truth for every process on the database: seal and
 * rotation are recorded there (`root-key-state`), and each process, whenever the
 * storage's change epoch moves, looks again and seals, or loads the rotated key
 * from its provider, before it serves the request that follows.
 */
export class RootKeyManager {
  private shares: Share[] = [];
  private nonce: string | undefined;
  /** Seal, unseal, rotation and following the database run one at a time. */
  private turns: Promise<unknown> = Promise.resolve();
  /** The generation of the key installed here. */
  private generation = 0;
  /** Whether the recorded state may have changed since it was last followed (a change record names it). */
  private behind = true;
  /** A generation this process failed to load: not tried again until an operator gives material. */
  private unloadable: number | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly ring: RootKeyRing,
    private readonly files: RootKeyFiles,
    private provider: RootKeyProvider,
    private readonly logger: Logger,
    /** Called once the key is in place (first start: create the administrator credentials). */
    private readonly onUnsealed: () => Promise<void>,
    private readonly peers?: UnsealPeers,
  ) {
    peers?.onMaterial((material) => this.exclusive(() => this.take(material)));
    storage.changes.subscribe((keys) => {
      if (keys === 'all' || keys.includes(STATE_CHANGE)) this.behind = true;
    });
    // Asked when an unwrap failed: catch up first (at once on SQLite, whose change reads are synchronous).
    ring.followedBy(() => {
      void this.storage.syncChanges().catch(() => undefined);
      return this.behind;
    });
  }

  /**
   * Loads the root key from its provider; a shamir server starts sealed. A
   * deployment an operator sealed stays sealed for a process that `keepSeal`s
   * (a worker started in place of one that stopped); any other start unseals
   * it when the provider gives the key by itself, as Vault's auto-unseal does.
   */
  async start(options: { keepSeal?: boolean } = {}): Promise<void> {
    const recorded = (await this.storage.settings.get(PROVIDER_SETTING)) as ProviderKind | undefined;
    if (recorded !== undefined && recorded !== this.provider.kind) {
      throw new Error(
        `this data directory's root key is held by the ${recorded} provider, not ${this.provider.kind}: start with --root-key-provider ${recorded}`,
      );
    }
    this.behind = false;
    const state = await readState(this.storage);
    if (this.provider.kind === 'shamir') {
      const initialized = (await this.storage.settings.get(ROOT_CHECK)) !== undefined;
      this.logger.warn(
        initialized
          ? 'Coffer is sealed: unseal it with `coffer operator unseal` (as many shares as the threshold)'
          : 'Coffer is sealed and has no root key yet: make it with `coffer operator init --shares N --threshold K`, then unseal',
      );
      return;
    }
    if (state.sealed && options.keepSeal) {
      this.lock();
      this.logger.warn('Coffer was sealed by an operator: this process starts sealed');
      return;
    }
    await this.install(await this.loadFromProvider(), state.generation);
    if (state.sealed) {
      await this.recordSealed(false);
      this.logger.warn('Coffer, sealed by an operator, was unsealed by this start');
    }
  }

  /**
   * Whether this process is sealed, once it has followed what the database
   * records: another process's seal, unseal or rotation, as far as the
   * storage's change feed has told (a signed request has brought it up to
   * date by then). Costs a comparison while no change names the state.
   */
  async sealed(): Promise<boolean> {
    // While sealed, no request gets far enough to bring this process up to date: it looks itself.
    if (this.ring.sealed) await this.storage.syncChanges().catch(() => undefined);
    if (this.behind) {
      try {
        await this.exclusive(() => this.follow());
      } catch (error) {
        // The database could not be read: the request that follows fails on it too.
        this.logger.error({ err: (error as Error).message }, 'could not read the recorded seal state');
      }
    }
    return this.ring.sealed;
  }

  async status(): Promise<SealStatus> {
    await this.sealed();
    return this.describe();
  }

  private async describe(): Promise<SealStatus> {
    const initialized = (await this.storage.settings.get(ROOT_CHECK)) !== undefined;
    const threshold = Number(await this.storage.settings.get(THRESHOLD_SETTING)) || undefined;
    return {
      sealed: this.ring.sealed,
      initialized,
      provider: this.provider.kind,
      threshold,
      progress: this.provider.kind === 'shamir' && this.ring.sealed ? this.shares.length : undefined,
      nonce: this.shares.length > 0 ? this.nonce : undefined,
    };
  }

  /** Makes a shamir server's root key and returns its shares, printed once and stored nowhere. */
  async initialize(shares: number, threshold: number): Promise<string[]> {
    if (this.provider.kind !== 'shamir') throw operatorError(`init is for the shamir provider; this server uses ${this.provider.kind}`);
    if ((await this.describe()).initialized) throw operatorError('Coffer is already initialized');
    const secret = randomBytes(32);
    let split: Share[];
    try {
      split = splitSecret(secret, shares, threshold);
    } catch (error) {
      throw operatorError((error as Error).message);
    }
    const key = new RootKey(secret);
    await this.storage.transaction(async (tx) => {
      await tx.settings.set(ROOT_CHECK, newCheck(key));
      await this.recordProvider(tx, 'shamir', split);
    });
    key.destroy();
    this.logger.info({ shares, threshold }, 'Coffer initialized with a Shamir-split root key; it stays sealed until unsealed');
    return split.map(encodeShare);
  }

  /**
   * Unseals with the provider's material: one share (shamir) or the
   * passphrase. A file or KMS provider's key is fetched by the server itself,
   * so an unsealing request could prove nothing: once an operator has sealed
   * it, such a server stays sealed until it is restarted, as Vault's auto
   * unseal does.
   */
  async unseal(material: { share?: string; passphrase?: string; nonce?: string } = {}): Promise<SealStatus> {
    await this.sealed();
    return this.exclusive(() => this.unsealOnce(material));
  }

  private async unsealOnce(material: { share?: string; passphrase?: string; nonce?: string }): Promise<SealStatus> {
    if (!this.ring.sealed) return this.describe();
    if (this.provider instanceof PassphraseRootKeyProvider) {
      if (!material.passphrase) throw operatorError('give the root key passphrase to unseal');
      this.provider.remember(material.passphrase);
      try {
        await this.install(await this.loadFromProvider(), (await readState(this.storage)).generation);
      } catch (error) {
        this.provider.forget();
        if (error instanceof WrongKeyError) throw operatorError('the passphrase does not open this database');
        throw error;
      }
      await this.unsealed({ passphrase: material.passphrase });
      return this.describe();
    }
    if (this.provider.kind !== 'shamir') {
      throw operatorError(`Coffer was sealed by an operator; its root key is held by the ${this.provider.kind} provider, so it stays sealed until the server is restarted`);
    }
    const shareText = material.share;
    const status = await this.describe();
    if (!status.initialized) throw operatorError('Coffer is not initialized: run `coffer operator init` first');
    if (!shareText) throw operatorError('give an unseal share');
    let share: Share;
    try {
      share = decodeShare(shareText);
    } catch (error) {
      throw operatorError((error as Error).message);
    }
    if (share.threshold !== status.threshold) throw operatorError('this share belongs to another split of the root key');
    await this.verifyShare(share);
    if (material.nonce !== undefined && this.shares.length > 0 && material.nonce !== this.nonce) {
      throw operatorError('this unseal nonce is not the one in progress: check `coffer operator status`');
    }
    if (this.shares.length === 0) this.nonce = randomUUID();
    if (!this.shares.some((s) => s.x === share.x)) this.shares.push(share);
    if (this.shares.length < share.threshold) return this.describe();
    const given = this.shares;
    this.shares = [];
    let key: RootKey;
    try {
      key = await this.rebuild(given);
    } catch (error) {
      if (!(error instanceof ShareError) && !(error instanceof WrongKeyError)) throw error;
      throw operatorError('the shares given do not rebuild the root key; unseal progress was reset');
    }
    await this.install(key, (await readState(this.storage)).generation);
    await this.unsealed({ shares: given.map(encodeShare) });
    return this.describe();
  }

  private async rebuild(shares: Share[]): Promise<RootKey> {
    const key = new RootKey(combineShares(shares));
    await this.check(key);
    return key;
  }

  /** The deployment is unsealed: recorded, and the other workers of this server unsealed with the same material. */
  private async unsealed(material: UnsealMaterial): Promise<void> {
    await this.recordSealed(false);
    this.logger.info('Coffer unsealed');
    await this.peers?.share(material);
  }

  /** Material another worker of this server was unsealed with (or rotated to): taken, then the database followed. */
  private async take(material: UnsealMaterial): Promise<void> {
    this.unloadable = undefined;
    if (material.passphrase !== undefined) {
      if (this.provider instanceof PassphraseRootKeyProvider) this.provider.remember(material.passphrase);
      else this.provider = new PassphraseRootKeyProvider(material.passphrase);
    }
    if (material.shares) {
      this.provider = new ShamirRootKeyProvider();
      this.generation = (await readState(this.storage)).generation;
      this.ring.rekey(await this.rebuild(material.shares.map(decodeShare)), this.generation);
    }
    this.behind = true;
    await this.follow();
  }

  /**
   * Seals the deployment: this process at once, every other one on its next
   * request (the seal is recorded in the database).
   */
  seal(): Promise<void> {
    return this.exclusive(async () => {
      this.lock();
      this.logger.warn('Coffer sealed by an operator');
      await this.recordSealed(true);
    });
  }

  /** Forgets the root key, the passphrase and any unseal in progress. */
  private lock(): void {
    this.shares = [];
    if (this.provider instanceof PassphraseRootKeyProvider) this.provider.forget();
    this.ring.lock();
  }

  private async recordSealed(sealed: boolean): Promise<void> {
    await this.storage.transaction(async (tx) => tx.settings.set(STATE_SETTING, JSON.stringify({ ...(await readState(tx)), sealed })));
  }

  /**
   * Catches up with the database: a seal recorded by another process seals
   * this one; a rotation (or an unseal, for a provider that gives the key by
   * itself) loads the key the database is now under and forgets everything
   * unwrapped under the old one.
   */
  private async follow(): Promise<void> {
    if (!this.behind) return;
    // Cleared before the read: a change recorded meanwhile is followed next time.
    this.behind = false;
    let state: Awaited<ReturnType<typeof readState>>;
    try {
      state = await readState(this.storage);
    } catch (error) {
      this.behind = true;
      throw error;
    }
    if (state.sealed) {
      if (!this.ring.sealed) {
        this.lock();
        this.logger.warn('Coffer sealed by an operator through another process');
      }
    } else if (state.generation !== this.unloadable && (this.ring.sealed ? this.loadsAlone() : state.generation !== this.generation)) {
      await this.reload(state.generation);
    }
  }

  /** Whether the provider gives the key without an operator: shamir never, a passphrase only while known. */
  private loadsAlone(): boolean {
    if (this.provider instanceof PassphraseRootKeyProvider) return this.provider.knows();
    return this.provider.kind !== 'shamir';
  }

  private async reload(generation: number): Promise<void> {
    try {
      await this.followProvider();
      this.ring.rekey(await this.loadCurrent(), generation);
      this.generation = generation;
      this.unloadable = undefined;
      this.logger.info('loaded the root key that another process rotated to or unsealed with');
    } catch (error) {
      // Never serve with a key the database is no longer under: sealed until an operator acts.
      this.lock();
      this.unloadable = generation;
      this.logger.error(
        { err: (error as Error).message },
        'the root key changed through another process and this one cannot load it: it is sealed until unsealed (or restarted with the new provider)',
      );
    }
  }

  /** A rotation through another process may have moved to another provider: the file provider needs no settings. */
  private async followProvider(): Promise<void> {
    const recorded = (await this.storage.settings.get(PROVIDER_SETTING)) as ProviderKind | undefined;
    if (!recorded || recorded === this.provider.kind) return;
    if (recorded !== 'file') throw new Error(`the root key moved to the ${recorded} provider: restart with --root-key-provider ${recorded}`);
    this.provider = new FileRootKeyProvider();
  }

  /**
   * The key the database is under now: the provider's state, or the `.next`
   * state of a rotation another process has committed and not yet promoted
   * (promoted meanwhile, it is the current state again).
   */
  private async loadCurrent(): Promise<RootKey> {
    for (const next of [false, true, false]) {
      const state = this.files.read(this.provider, next);
      if (state === undefined) continue;
      const key = await this.provider.open(state);
      if (await this.opensDatabase(key)) return key;
      key.destroy();
    }
    throw new WrongKeyError(`the root key (${this.provider.description}) does not open this database`);
  }

  /**
   * Replaces the root key (optionally moving to another provider): every piece
   * of key material, access key secret, webhook and audit signing key is re-wrapped in one
   * transaction; no secret is re-encrypted. Returns new shares for a shamir target.
   * Rotations run one at a time, each from the key the one before installed.
   */
  async rotate(target: RootKeyProvider, split?: { shares: number; threshold: number }, passphrase?: string): Promise<string[] | undefined> {
    await this.sealed();
    return this.exclusive(() => this.rotateOnce(target, split, passphrase));
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.turns.then(work);
    this.turns = turn.catch(() => undefined);
    return turn;
  }

  private async rotateOnce(target: RootKeyProvider, split?: { shares: number; threshold: number }, passphrase?: string): Promise<string[] | undefined> {
    if (this.ring.sealed) throw operatorError('Coffer is sealed');
    const old = this.ring.currentKey();
    let next: RootKey;
    let shares: string[] | undefined;
    let splitShares: Share[] | undefined;
    if (target.kind === 'shamir') {
      if (!split) throw operatorError('rotating to the shamir provider needs --shares and --threshold');
      const secret = randomBytes(32);
      try {
        splitShares = splitSecret(secret, split.shares, split.threshold);
        shares = splitShares.map(encodeShare);
      } catch (error) {
        throw operatorError((error as Error).message);
      }
      next = new RootKey(secret);
    } else {
      const created = await target.create();
      next = created.key;
      // Durable before the database moves to the new key: a crash at any point leaves the needed key findable.
      this.files.write(target, created.state, true);
    }
    let generation: number;
    try {
      // Pure: the storage may run it again after a serialization failure, so it changes nothing in memory.
      generation = await this.storage.transaction(async (tx) => {
        const state = await readState(tx);
        if (state.generation !== this.generation) throw operatorError('the root key was rotated meanwhile through another process: rotate again');
        await this.rewrapAll(tx, old, next);
        await tx.settings.set(ROOT_CHECK, newCheck(next));
        await this.recordProvider(tx, target.kind, splitShares);
        await tx.settings.set(STATE_SETTING, JSON.stringify({ ...state, generation: state.generation + 1 }));
        return state.generation + 1;
      });
    } catch (error) {
      next.destroy();
      this.files.remove(target, true);
      throw error;
    }
    // Installed once committed, before this turn ends: with SQLite's one writer, the next unit of
    // work starts after it and seals under the new key. Sealed meanwhile, the server stays sealed.
    if (this.ring.sealed) next.destroy();
    else this.ring.replace(next, generation);
    this.generation = generation;
    if (target.stateFile) this.files.promote(target);
    if (this.provider.stateFile && this.provider.stateFile !== target.stateFile) this.files.remove(this.provider);
    old.destroy();
    this.provider = target;
    this.logger.info({ provider: target.kind }, 'root key rotated: all key material re-wrapped under the new root key');
    // The other workers load the new key themselves; a passphrase or shares they are given.
    if (passphrase !== undefined || shares) await this.peers?.share({ passphrase, shares });
    return shares;
  }

  private async rewrapAll(tx: Repositories, old: RootKey, next: RootKey): Promise<void> {
    let after: { keyId: string; version: number } | undefined;
    for (;;) {
      const page = await tx.keys.allMaterials(after, REWRAP_PAGE);
      for (const m of page) {
        const purpose = materialPurpose(m.keyId, m.version);
        const material = old.open(m.wrapped, purpose);
        await tx.keys.rewrapMaterial(m.keyId, m.version, next.seal(material, purpose));
        material.fill(0);
      }
      if (page.length < REWRAP_PAGE) break;
      after = page[page.length - 1]!;
    }
    for (const key of await tx.accessKeys.all()) {
      const purpose = accessKeyPurpose(key.accessKeyId);
      const secret = old.open(key.encryptedSecret, purpose);
      await tx.accessKeys.reseal(key.accessKeyId, next.seal(secret, purpose));
      secret.fill(0);
    }
    const auditKey = await tx.settings.get(AUDIT_SIGNING_KEY_SETTING);
    if (auditKey !== undefined) {
      const key = old.open(Buffer.from(auditKey, 'base64'), AUDIT_SIGNING_KEY_PURPOSE);
      await tx.settings.set(AUDIT_SIGNING_KEY_SETTING, next.seal(key, AUDIT_SIGNING_KEY_PURPOSE).toString('base64'));
      key.fill(0);
    }
    for (const fn of await tx.rotationFunctions.all()) {
      if (!fn.sealedSigningKey) continue;
      const purpose = signingKeyPurpose(fn.arn);
      const signingKey = old.open(fn.sealedSigningKey, purpose);
      await tx.rotationFunctions.update({ ...fn, sealedSigningKey: next.seal(signingKey, purpose) });
      signingKey.fill(0);
    }
  }

  /**
   * The provider's key. A rotation interrupted by a crash left a `.next`
   * state: whichever of the two opens the database is the one, and only once
   * the current one is known to open it is the other dropped.
   */
  private async loadFromProvider(): Promise<RootKey> {
    const nextState = this.files.read(this.provider, true);
    if (nextState !== undefined) {
      const candidate = await this.provider.open(nextState);
      if (await this.opensDatabase(candidate)) {
        this.files.promote(this.provider);
        this.logger.warn('finished a root key rotation that a stop interrupted');
        return candidate;
      }
    }
    const state = this.files.read(this.provider);
    let key: RootKey;
    if (state === undefined) {
      if ((await this.storage.settings.get(ROOT_CHECK)) !== undefined) {
        throw new Error(`the root key (${this.provider.description}) is missing from the data directory: restore it from its backup (without it no secret can be read)`);
      }
      const created = await this.provider.create();
      this.files.write(this.provider, created.state);
      key = created.key;
    } else {
      key = await this.provider.open(state);
    }
    await this.check(key);
    if (nextState !== undefined) this.files.remove(this.provider, true);
    return key;
  }

  private async install(key: RootKey, generation: number): Promise<void> {
    if ((await this.storage.settings.get(ROOT_CHECK)) === undefined) {
      await this.storage.transaction(async (tx) => {
        await tx.settings.set(ROOT_CHECK, newCheck(key));
        await this.recordProvider(tx, this.provider.kind);
      });
    } else if ((await this.storage.settings.get(PROVIDER_SETTING)) === undefined) {
      await this.storage.transaction((tx) => this.recordProvider(tx, this.provider.kind));
    }
    this.ring.unlock(key, generation);
    this.generation = generation;
    this.unloadable = undefined;
    await this.onUnsealed();
  }

  private async recordProvider(tx: Repositories, kind: ProviderKind, split?: Share[]): Promise<void> {
    await tx.settings.set(PROVIDER_SETTING, kind);
    await tx.settings.set(THRESHOLD_SETTING, split ? String(split[0]!.threshold) : '');
    await tx.settings.set(SHARE_DIGESTS_SETTING, split ? JSON.stringify(Object.fromEntries(split.map((share) => [share.x, shareDigest(share)]))) : '');
  }

  /** A share that is not one of this server's is refused by itself, and the progress so far is kept. */
  private async verifyShare(share: Share): Promise<void> {
    const recorded = await this.storage.settings.get(SHARE_DIGESTS_SETTING);
    // Data directories made before share digests were kept rely on the check value at combination.
    if (!recorded) return;
    const digests = JSON.parse(recorded) as Record<string, string>;
    if (digests[share.x] !== shareDigest(share)) {
      throw operatorError(`share ${share.x} is not one of this server's unseal shares (forged or mistyped); unseal progress is unchanged at ${this.shares.length}`);
    }
  }

  /** A value sealed with the root key when the database was made tells a wrong key at every later start. */
  private async check(key: RootKey): Promise<void> {
    if (!(await this.opensDatabase(key))) {
      throw new WrongKeyError(`the root key does not open this database (${this.provider.description}): wrong key file, passphrase or shares`);
    }
  }

  private async opensDatabase(key: RootKey): Promise<boolean> {
    const stored = await this.storage.settings.get(ROOT_CHECK);
    if (stored === undefined) return true;
    try {
      key.open(Buffer.from(stored, 'base64'), ROOT_CHECK);
      return true;
    } catch {
      return false;
    }
  }
}

class WrongKeyError extends Error {}

function newCheck(key: RootKey): string {
  return key.seal(randomBytes(32), ROOT_CHECK).toString('base64');
}
