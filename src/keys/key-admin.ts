import { KmsErrors } from './kms-errors.js';
import { checkKeyPolicy, effectiveKeyPolicy } from './key-policy.js';
import { mergeKeyTags, removeKeyTags, type KmsTag } from './key-tags.js';
import type { KeyService } from './key-service.js';
import { DAY_MS } from '../shared/days.js';
import type { RequestScope } from '../shared/request-scope.js';
import type { AliasRecord, KeyMaterialRecord, KmsKeyRecord, Repositories, Storage } from '../storage/index.js';

const DEFAULT_DELETION_WINDOW_DAYS = 30;
const DEFAULT_ROTATION_PERIOD_DAYS = 365;
const MAX_ON_DEMAND_ROTATIONS = 25;
const ALIAS_PREFIX = 'alias/';
const RESERVED_ALIAS_PREFIX = 'alias/aws/';

export interface CreateKeyInput {
  Description?: string;
  Policy?: string;
  KeySpec?: string;
  CustomerMasterKeySpec?: string;
  KeyUsage?: string;
  Origin?: string;
  MultiRegion?: boolean;
  CustomKeyStoreId?: string;
  Tags?: KmsTag[];
}

/**
 * The management side of KMS: creating keys, their states, deletion, rotation,
 * aliases, tags and policies. Every change is one unit of work; the key
 * service's caches drop it through the storage's change feed (on every node).
 */
export class KeyAdmin {
  constructor(
    private readonly storage: Storage,
    private readonly keys: KeyService,
  ) {}

  async createKey(scope: RequestScope, input: CreateKeyInput): Promise<KmsKeyRecord> {
    const spec = input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
    if (spec !== 'SYMMETRIC_DEFAULT' && input.KeyUsage === undefined) {
      throw KmsErrors.validation('You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
    }
    if (spec !== 'SYMMETRIC_DEFAULT') throw KmsErrors.unsupported(`Coffer supports only SYMMETRIC_DEFAULT keys, not ${spec}.`);
    if ((input.KeyUsage ?? 'ENCRYPT_DECRYPT') !== 'ENCRYPT_DECRYPT') {
      throw KmsErrors.unsupported(`KeyUsage ${input.KeyUsage} is not valid for a SYMMETRIC_DEFAULT key.`);
    }
    if ((input.Origin ?? 'AWS_KMS') !== 'AWS_KMS') throw KmsErrors.unsupported(`Coffer supports only keys of origin AWS_KMS, not ${input.Origin}.`);
    if (input.MultiRegion) throw KmsErrors.unsupported('Coffer does not support multi-Region keys.');
    if (input.CustomKeyStoreId !== undefined) throw KmsErrors.unsupported('Coffer does not support custom key stores.');
    const policy = input.Policy === undefined ? undefined : checkKeyPolicy(input.Policy);
    const tags = mergeKeyTags([], input.Tags ?? []);
    return this.storage.transaction((tx) =>
      this.keys.insertKey(tx, scope, { description: input.Description ?? '', keyManager: 'CUSTOMER', policy, tags }, scope.now),
    );
  }

  updateDescription(scope: RequestScope, keyId: string, description: string): Promise<KmsKeyRecord> {
    return this.change(scope, keyId, (key) => {
      assertCustomerManaged(key);
      assertNotPendingDeletion(key);
      key.description = description;
    });
  }

  enable(scope: RequestScope, keyId: string): Promise<KmsKeyRecord> {
    return this.change(scope, keyId, (key) => {
      assertCustomerManaged(key);
      assertNotPendingDeletion(key);
      key.state = 'Enabled';
    });
  }

  disable(scope: RequestScope, keyId: string): Promise<KmsKeyRecord> {
    return this.change(scope, keyId, (key) => {
      assertCustomerManaged(key);
      assertNotPendingDeletion(key);
      key.state = 'Disabled';
    });
  }

  scheduleDeletion(scope: RequestScope, keyId: string, windowDays = DEFAULT_DELETION_WINDOW_DAYS): Promise<KmsKeyRecord> {
    if (windowDays < 7 || windowDays > 30) {
      throw KmsErrors.validation(`PendingWindowInDays should be between 7 and 30, but it is ${windowDays}`);
    }
    return this.change(scope, keyId, (key) => {
      assertCustomerManaged(key);
      assertNotPendingDeletion(key);
      key.state = 'PendingDeletion';
      key.deletionDate = scope.now + windowDays * DAY_MS;
    });
  }

  cancelDeletion(scope: RequestScope, keyId: string): Promise<KmsKeyRecord> {
    return this.change(scope, keyId, (key) => {
      if (key.state !== 'PendingDeletion') throw KmsErrors.notPendingDeletion(key.arn);
      // AWS brings a key back disabled: using it again takes an explicit EnableKey.
      key.state = 'Disabled';
      key.deletionDate = undefined;
    });
  }

  enableRotation(scope: RequestScope, keyId: string, periodDays = DEFAULT_ROTATION_PERIOD_DAYS): Promise<KmsKeyRecord> {
    return this.change(scope, keyId, (key) => {
      assertCustomerManaged(key);
      assertEnabled(key);
      key.rotationPeriodDays = periodDays;
      key.nextRotationAt = scope.now + periodDays * DAY_MS;
    });
  }

  disableRotation(scope: RequestScope, keyId: string): Promise<KmsKeyRecord> {
    return this.change(scope, keyId, (key) => {
      assertCustomerManaged(key);
      assertEnabled(key);
      key.rotationPeriodDays = undefined;
      key.nextRotationAt = undefined;
    });
  }

  /** Adds new key material now; the automatic schedule, if any, is not moved. */
  rotateOnDemand(scope: RequestScope, keyId: string): Promise<KmsKeyRecord> {
    return this.change(scope, keyId, async (key, tx) => {
      assertCustomerManaged(key);
      assertEnabled(key);
      if (key.onDemandRotations >= MAX_ON_DEMAND_ROTATIONS) {
        throw KmsErrors.limitExceeded(
          `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.arn}`,
        );
      }
      key.onDemandRotations++;
      await this.addMaterial(tx, key, scope.now, 'ON_DEMAND');
    });
  }

  /** Automatic rotation of a batch of keys whose period has passed; returns them. */
  async rotateDue(now: number, limit = 100): Promise<KmsKeyRecord[]> {
    return this.storage.transaction(async (tx) => {
      const due = await tx.keys.dueForRotation(now, limit);
      for (const record of due) {
        const key = { ...record };
        await this.addMaterial(tx, key, now, 'AUTOMATIC');
        key.nextRotationAt = now + key.rotationPeriodDays! * DAY_MS;
        await tx.keys.update(key);
      }
      return due;
    });
  }

  /** Destroys a batch of keys whose deletion window has ended, with their material and aliases; returns them. */
  async destroyDue(now: number, limit = 100): Promise<KmsKeyRecord[]> {
    const destroyed = await this.storage.transaction(async (tx) => {
      const due = await tx.keys.dueForDeletion(now, limit);
      for (const key of due) await tx.keys.destroy(key.id);
      return due;
    });
    for (const key of destroyed) this.keys.forget(key.id);
    return destroyed;
  }

  materials(key: KmsKeyRecord): Promise<KeyMaterialRecord[]> {
    return this.storage.keys.materials(key.id);
  }

  tag(scope: RequestScope, keyId: string, tags: KmsTag[]): Promise<KmsKeyRecord> {
    return this.change(scope, keyId, (key) => {
      assertCustomerManaged(key);
      assertNotPendingDeletion(key);
      key.tags = mergeKeyTags(key.tags, tags);
    });
  }

  untag(scope: RequestScope, keyId: string, tagKeys: string[]): Promise<KmsKeyRecord> {
    return this.change(scope, keyId, (key) => {
      assertCustomerManaged(key);
      assertNotPendingDeletion(key);
      key.tags = removeKeyTags(key.tags, tagKeys);
    });
  }

  putPolicy(scope: RequestScope, keyId: string, policyName: string, policy: string): Promise<KmsKeyRecord> {
    assertPolicyName(policyName);
    checkKeyPolicy(policy);
    return this.change(scope, keyId, (key) => {
      assertCustomerManaged(key);
      key.policy = policy;
    });
  }

  async getPolicy(scope: RequestScope, keyId: string, policyName: string): Promise<string> {
    assertPolicyName(policyName);
    return effectiveKeyPolicy(await this.keys.resolveKeyIdOrArn(scope, keyId));
  }

  // --- aliases ----------------------------------------------------------------------------------

  createAlias(scope: RequestScope, aliasName: string, targetKeyId: string): Promise<void> {
    checkAliasName(aliasName);
    return this.storage.transaction(async (tx) => {
      const target = await this.aliasTarget(tx, scope, targetKeyId);
      if (await tx.keys.findAlias(scope.account, scope.region, aliasName)) {
        throw KmsErrors.alreadyExists(`An alias with the name ${aliasArn(scope, aliasName)} already exists`);
      }
      await tx.keys.insertAlias({ account: scope.account, region: scope.region, name: aliasName, keyId: target.id, createdAt: scope.now, updatedAt: scope.now });
    });
  }

  updateAlias(scope: RequestScope, aliasName: string, targetKeyId: string): Promise<void> {
    checkAliasName(aliasName);
    return this.storage.transaction(async (tx) => {
      const alias = await this.existingAlias(tx, scope, aliasName);
      const target = await this.aliasTarget(tx, scope, targetKeyId);
      await tx.keys.updateAlias({ ...alias, keyId: target.id, updatedAt: scope.now });
    });
  }

  deleteAlias(scope: RequestScope, aliasName: string): Promise<void> {
    checkAliasName(aliasName);
    return this.storage.transaction(async (tx) => {
      await this.existingAlias(tx, scope, aliasName);
      await tx.keys.deleteAlias(scope.account, scope.region, aliasName);
    });
  }

  listAliases(scope: RequestScope, query: { keyId?: string; after?: string; limit: number }): Promise<AliasRecord[]> {
    return this.storage.keys.listAliases(scope.account, scope.region, query);
  }

  listKeys(scope: RequestScope, after: string | undefined, limit: number): Promise<KmsKeyRecord[]> {
    return this.storage.keys.list(scope.account, scope.region, after, limit);
  }

  private async existingAlias(tx: Repositories, scope: RequestScope, aliasName: string): Promise<AliasRecord> {
    const alias = await tx.keys.findAlias(scope.account, scope.region, aliasName);
    if (!alias) throw KmsErrors.notFound(`Alias ${aliasArn(scope, aliasName)} is not found.`);
    return alias;
  }

  private async aliasTarget(tx: Repositories, scope: RequestScope, targetKeyId: string): Promise<KmsKeyRecord> {
    const target = await this.keys.within(tx).resolveKeyIdOrArn(scope, targetKeyId);
    assertCustomerManaged(target);
    assertNotPendingDeletion(target);
    return target;
  }

  private async addMaterial(tx: Repositories, key: KmsKeyRecord, now: number, type: 'AUTOMATIC' | 'ON_DEMAND'): Promise<void> {
    key.currentMaterial++;
    await tx.keys.addMaterial(await this.keys.newMaterial(tx, key.id, key.currentMaterial, now, type));
  }

  /** Loads a key by id or ARN in a unit of work, lets `apply` change a copy, and stores it. */
  private change(
    scope: RequestScope,
    keyId: string,
    apply: (key: KmsKeyRecord, tx: Repositories) => void | Promise<void>,
  ): Promise<KmsKeyRecord> {
    return this.storage.transaction(async (tx) => {
      // A copy: the key service's cache may share the record it returned.
      const key = { ...(await this.keys.within(tx).resolveKeyIdOrArn(scope, keyId)) };
      await apply(key, tx);
      await tx.keys.update(key);
      return key;
    });
  }
}

export function aliasArn(scope: { partition: string; region: string; account: string }, aliasName: string): string {
  return `arn:${scope.partition}:kms:${scope.region}:${scope.account}:${aliasName}`;
}

function checkAliasName(name: string): void {
  if (!name.startsWith(ALIAS_PREFIX)) {
    throw KmsErrors.validation(
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    );
  }
  if (!/^[a-zA-Z0-9/_-]+$/.test(name.slice(ALIAS_PREFIX.length))) {
    throw KmsErrors.validation(`${name} contains invalid characters for an alias`);
  }
  if (name.startsWith(RESERVED_ALIAS_PREFIX)) {
    throw KmsErrors.notAuthorized(`Alias names beginning with ${RESERVED_ALIAS_PREFIX} are reserved for AWS managed keys.`);
  }
}

function assertPolicyName(name: string): void {
  if (name !== 'default') throw KmsErrors.notFound(`No such policy exists: ${name}. The only key policy name is "default".`);
}

function assertCustomerManaged(key: KmsKeyRecord): void {
  if (key.keyManager === 'AWS') {
    throw KmsErrors.unsupported(`${key.arn} is an AWS managed key: its state, rotation, tags, policy, aliases and deletion are managed by AWS.`);
  }
}

function assertNotPendingDeletion(key: KmsKeyRecord): void {
  if (key.state === 'PendingDeletion') throw KmsErrors.pendingDeletion(key.arn);
}

function assertEnabled(key: KmsKeyRecord): void {
  assertNotPendingDeletion(key);
  if (key.state === 'Disabled') throw KmsErrors.disabled(key.arn);
}
