import { randomBytes, randomUUID } from 'node:crypto';
import { open, seal } from './aes-gcm.js';
import { canonicalContext, decodeBlob, encodeHeader, type CanonicalContext } from './ciphertext-blob.js';
import { KmsErrors } from './kms-errors.js';
import type { RootCipher } from './root-key.js';
import { ChangeCache } from '../storage/change-cache.js';
import { kmsKeyChange } from '../storage/change-keys.js';
import type { KeyMaterialRecord, KmsKeyRecord, Repositories, Storage, Tag } from '../storage/index.js';
import { defaultKeyPolicy, secretsManagerKeyPolicy } from './key-policy.js';
import type { Scope } from '../shared/request-scope.js';

export type EncryptionContext = Record<string, string>;

export interface DataKey {
  /** Zero it (`plaintext.fill(0)`) as soon as it has been used. */
  plaintext: Buffer;
  ciphertextBlob: Buffer;
  keyArn: string;
  materialId: string;
}

export interface NewKeyFields {
  description: string;
  keyManager: 'AWS' | 'CUSTOMER';
  policy?: string;
  tags?: Tag[];
}

/** Unwrapped key material and the id KMS reports for it. */
interface Material {
  key: Buffer;
  materialId: string;
}

const KMS_KEY_CHANGE = kmsKeyChange('');

/** A key id as KMS writes them: a UUID, or `mrk-` and 32 hex digits (a multi-Region key), which is looked up like any. */
const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

const AWS_MANAGED_DESCRIPTIONS: Record<string, string> = {
  'alias/aws/secretsmanager': 'Default key that protects my Secrets Manager data when no other key is defined',
};

/**
 * The key service: KMS keys whose material the root key wraps, and the
 * Encrypt / Decrypt / GenerateDataKey operations over them. It is what the
 * KMS API exposes and what the secrets domain uses for envelope encryption.
 */
export class KeyService {
  /** Unwrapped key material by `keyId/version`; forgotten when anything of its key changes (on every node). */
  private readonly materials = new Map<string, Material>();
  private readonly managedKeyIds = new Map<string, string>();
  /** Key records by id, so that a decryption costs no database read; dropped when the key changes. */
  private readonly records: ChangeCache<KmsKeyRecord>;
  /** Where reads go: the storage itself, or the repositories of the unit of work this view serves. */
  private repos: Repositories;

  constructor(
    private readonly storage: Storage,
    private readonly rootKey: RootCipher,
  ) {
    this.repos = storage;
    this.records = new ChangeCache(storage.changes, (key) => [kmsKeyChange(key.id)]);
    storage.changes.subscribe((changes) => {
      if (changes === 'all') return this.forgetAll();
      for (const change of changes) if (change.startsWith(KMS_KEY_CHANGE)) this.forget(change.slice(KMS_KEY_CHANGE.length));
    });
  }

  /**
   * The same key service (sharing its caches) reading through a unit of work's
   * repositories, for use inside that unit: storage calls from outside a unit
   * wait until the open one ends.
   */
  within(repos: Repositories): KeyService {
    const view = Object.create(this) as KeyService;
    view.repos = repos;
    return view;
  }

  keyArn(scope: Scope, keyId: string): string {
    return `arn:${scope.partition}:kms:${scope.region}:${scope.account}:key/${keyId}`;
  }

  /**
   * The AWS-managed key behind a predefined alias such as `alias/aws/secretsmanager`,
   * created on first use. Call it before opening a transaction that will use the
   * key: creating it runs a transaction of its own.
   */
  async awsManagedKey(scope: Scope, alias: string): Promise<KmsKeyRecord> {
    const cacheKey = `${scope.account}/${scope.region}/${alias}`;
    // AWS-managed aliases are never re-pointed, so the alias → key id mapping can be kept.
    let keyId = this.managedKeyIds.get(cacheKey);
    if (keyId === undefined) {
      keyId = (await this.repos.keys.findAlias(scope.account, scope.region, alias))?.keyId;
      keyId ??= await this.createAwsManagedKey(scope, alias);
      this.managedKeyIds.set(cacheKey, keyId);
    }
    return this.requireKey(scope, keyId);
  }

  private createAwsManagedKey(scope: Scope, alias: string): Promise<string> {
    return this.storage.transaction(async (tx) => {
      const raced = await tx.keys.findAlias(scope.account, scope.region, alias);
      if (raced) return raced.keyId;
      const now = Date.now();
      const key = await this.insertKey(tx, scope, { description: AWS_MANAGED_DESCRIPTIONS[alias] ?? `Default key for ${alias}`, keyManager: 'AWS', policy: secretsManagerKeyPolicy(scope) }, now);
      await tx.keys.insertAlias({ account: scope.account, region: scope.region, name: alias, keyId: key.id, createdAt: now, updatedAt: now });
      return key.id;
    });
  }

  /** Creates a key with fresh material in a unit of work. */
  async insertKey(tx: Repositories, scope: Scope, fields: NewKeyFields, now: number): Promise<KmsKeyRecord> {
    const id = randomUUID();
    const key: KmsKeyRecord = {
      id,
      account: scope.account,
      region: scope.region,
      arn: this.keyArn(scope, id),
      description: fields.description,
      keyManager: fields.keyManager,
      state: 'Enabled',
      createdAt: now,
      currentMaterial: 1,
      policy: fields.policy ?? defaultKeyPolicy(scope),
      tags: fields.tags ?? [],
      onDemandRotations: 0,
    };
    await tx.keys.insert(key, await this.newMaterial(tx, id, 1, now));
    return key;
  }

  /** Fresh random material for a key, wrapped by the root key for the unit `tx` that stores it. */
  async newMaterial(tx: Repositories, keyId: string, version: number, now: number, rotationType?: KeyMaterialRecord['rotationType']): Promise<KeyMaterialRecord> {
    return {
      keyId,
      version,
      wrapped: await this.wrapMaterial(tx, keyId, version, randomBytes(32)),
      createdAt: now,
      materialId: randomBytes(32).toString('hex'),
      rotationType,
    };
  }

  /** Drops every unwrapped material (the server was sealed). */
  forgetAll(): void {
    this.materials.clear();
  }

  /** Drops what is cached of a destroyed key's material. */
  forget(keyId: string): void {
    for (const cacheKey of this.materials.keys()) if (cacheKey.startsWith(`${keyId}/`)) this.materials.delete(cacheKey);
  }

  /** Resolves a key id, key ARN, alias name or alias ARN in the caller's account and region. */
  async resolveKey(scope: Scope, ref: string): Promise<KmsKeyRecord> {
    const arnPrefix = `arn:${scope.partition}:kms:${scope.region}:${scope.account}:`;
    let id = ref;
    if (ref.startsWith('arn:')) {
      if (!ref.startsWith(arnPrefix)) {
        // AWS names the region of an ARN from another region ("Invalid arn us-west-2"), not the ARN.
        const region = ref.split(':')[3];
        throw KmsErrors.notFound(`Invalid arn ${region && region !== scope.region ? region : ref}`);
      }
      id = ref.slice(arnPrefix.length);
      if (id.startsWith('key/')) id = id.slice(4);
    }
    if (id.startsWith('alias/')) {
      if (AWS_MANAGED_DESCRIPTIONS[id]) return this.awsManagedKey(scope, id);
      const alias = await this.repos.keys.findAlias(scope.account, scope.region, id);
      if (!alias) throw KmsErrors.notFound(`Alias ${arnPrefix}${id} is not found.`);
      id = alias.keyId;
    }
    if (!KEY_ID.test(id)) throw KmsErrors.notFound(`Invalid keyId '${ref}'`);
    return this.requireKey(scope, id);
  }

  /** Resolves a key id or key ARN only, as the key management operations accept. */
  async resolveKeyIdOrArn(scope: Scope, ref: string): Promise<KmsKeyRecord> {
    if (ref.startsWith('alias/') || /^arn:[^:]*:kms:[^:]*:[^:]*:alias\//.test(ref)) throw KmsErrors.notFound(`Invalid keyId '${ref}'`);
    return this.resolveKey(scope, ref);
  }

  async generateDataKey(key: KmsKeyRecord, context: EncryptionContext, bytes = 32): Promise<DataKey> {
    const plaintext = randomBytes(bytes);
    const { blob, materialId } = await this.encryptWithId(key, plaintext, context);
    return { plaintext, ciphertextBlob: blob, keyArn: key.arn, materialId };
  }

  async encrypt(key: KmsKeyRecord, plaintext: Buffer, context: EncryptionContext): Promise<Buffer> {
    return (await this.encryptWithId(key, plaintext, context)).blob;
  }

  /** Encrypts under the key's current material; also says which material that was. */
  async encryptWithId(key: KmsKeyRecord, plaintext: Buffer, context: EncryptionContext): Promise<{ blob: Buffer; materialId: string }> {
    assertUsable(key);
    const header = encodeHeader({ keyId: key.id, materialVersion: key.currentMaterial });
    const material = await this.material(key.id, key.currentMaterial);
    return { blob: Buffer.concat([header, seal(material.key, plaintext, aad(header, context))]), materialId: material.materialId };
  }

  /** Decrypts a blob; the key is found from the blob. With `expectedKeyId` the blob must belong to that key. */
  async decrypt(
    blob: Buffer,
    context: EncryptionContext | CanonicalContext,
    expectedKeyId?: string,
  ): Promise<{ plaintext: Buffer; key: KmsKeyRecord; materialId: string }> {
    const decoded = decodeBlob(blob);
    if (!decoded) throw KmsErrors.invalidCiphertext();
    const key = await this.keyRecord(decoded.header.keyId);
    if (!key) throw KmsErrors.invalidCiphertext();
    if (expectedKeyId !== undefined && expectedKeyId !== key.id) throw KmsErrors.incorrectKey();
    assertUsable(key);
    const material = await this.material(key.id, decoded.header.materialVersion);
    try {
      return { plaintext: open(material.key, decoded.sealed, aad(decoded.headerBytes, context)), key, materialId: material.materialId };
    } catch {
      throw KmsErrors.invalidCiphertext();
    }
  }

  /** The KeyMaterialId of a key's current material. */
  async currentMaterialId(key: KmsKeyRecord): Promise<string> {
    return (await this.material(key.id, key.currentMaterial)).materialId;
  }

  private keyRecord(id: string): Promise<KmsKeyRecord | undefined> {
    // Inside a unit, a read sees the unit's own snapshot: it is not kept for others.
    if (this.repos !== this.storage) return this.repos.keys.find(id);
    return this.records.getOrLoad(id, () => this.repos.keys.find(id));
  }

  private async requireKey(scope: Scope, id: string): Promise<KmsKeyRecord> {
    const key = await this.keyRecord(id);
    if (!key || key.account !== scope.account || key.region !== scope.region) {
      throw KmsErrors.notFound(`Key '${this.keyArn(scope, id)}' does not exist`);
    }
    return key;
  }

  private async wrapMaterial(tx: Repositories, keyId: string, version: number, material: Buffer): Promise<Buffer> {
    try {
      return await this.rootKey.sealIn(tx, material, materialPurpose(keyId, version));
    } finally {
      material.fill(0);
    }
  }

  private async material(keyId: string, version: number): Promise<Material> {
    const cacheKey = `${keyId}/${version}`;
    const cached = this.materials.get(cacheKey);
    if (cached) return cached;
    const record = await this.repos.keys.material(keyId, version);
    if (!record) throw KmsErrors.invalidCiphertext();
    const material = { key: this.rootKey.open(record.wrapped, materialPurpose(keyId, version)), materialId: record.materialId };
    this.materials.set(cacheKey, material);
    return material;
  }
}

export function materialPurpose(keyId: string, version: number): string {
  return `kms-key-material:${keyId}:${version}`;
}

function aad(header: Buffer, context: EncryptionContext | CanonicalContext): Buffer {
  return Buffer.concat([header, canonicalContext(context)]);
}

/** A key may encrypt and decrypt only while Enabled. */
export function assertUsable(key: KmsKeyRecord): void {
  if (key.state === 'Disabled') throw KmsErrors.disabled(key.arn);
  if (key.state === 'PendingDeletion') throw KmsErrors.pendingDeletion(key.arn);
}
