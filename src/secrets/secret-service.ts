import { SecretsErrors, ServiceError } from '../errors/service-error.js';
import { assertUsable, type KeyService } from '../keys/key-service.js';
import type { KmsKeyRecord, Repositories, SecretRecord, Storage, Tag, UnitOfWork, VersionRecord } from '../storage/index.js';
import { noteChange } from './secret-change-notes.js';
import { arnInRegion, assertValidName, newSecretArn } from './secret-arn.js';
import { DEFAULT_KEY_ALIAS, keyFailure, SecretCipher, sealedVersion } from './secret-cipher.js';
import { rewrapLabelledVersions } from './version-rewrap.js';
import { assertNotDeleted, assertNotReplica, findSecret, findWritable, lookup, stagesOfSecret } from './secret-lookup.js';
import type { ReplicaRegionInput, ReplicationService } from './replication-service.js';
import { replicaViews, type ReplicaView } from './replica-views.js';
import { ReplicationErrors } from './replication-errors.js';
import { DAY_MS } from '../shared/days.js';
import type { RequestScope } from '../shared/request-scope.js';
import type { CreateSecretInput, PutSecretValueInput, UpdateSecretInput } from './secret-types.js';
import { requireToken, sameValue, valueOf, type PlainValue } from './secret-values.js';
import { AWSCURRENT, attachNewValue, labelsOf, moveLabel, type StageMap } from './staging-labels.js';
import { validateTags } from './secret-tags.js';
import { namedPrincipalArns, NO_SUCH_PRINCIPAL, packPolicy } from './principal-bindings.js';

export { DEFAULT_KEY_ALIAS } from './secret-cipher.js';
const MAX_LABELS_PER_SECRET = 20;
const RETAINED_VERSIONS = 100;

export interface WriteResult {
  ARN: string;
  Name: string;
  VersionId?: string;
  VersionStages?: string[];
  /** CreateSecret with replicas: their state once the secret is made. */
  replication?: ReplicaView[];
}

/** The secrets domain: every operation that changes a secret, each in one transaction. */
export class SecretService {
  readonly cipher: SecretCipher;

  /** `storage` replicates (see replicating-storage.ts) where secrets may have replicas; `replication` adds them at creation. */
  constructor(
    private readonly storage: Storage,
    private readonly keys: KeyService,
    private readonly replication?: ReplicationService,
  ) {
    this.cipher = new SecretCipher(keys);
  }

  /** `arn`: the ARN the new secret gets (authorization may have chosen it); a fresh one otherwise. */
  async create(scope: RequestScope, input: CreateSecretInput, arn?: string): Promise<WriteResult> {
    const token = requireToken(input.ClientRequestToken);
    assertValidName(input.Name);
    const value = valueOf(input);
    const tags = validateTags(input.Tags ?? []);
    const kmsKeyArn = await this.prepareKeys(scope, input.KmsKeyId);
    const replicas = input.AddReplicaRegions && (await this.prepareReplicas(scope, input.AddReplicaRegions));
    const result = await this.storage.transaction(async (tx) => {
      const existing = await tx.secrets.findByName(scope.account, scope.region, input.Name);
      if (existing) return this.repeatCreate(tx, existing, token, value);
      const secret = await tx.secrets.insert({
        account: scope.account,
        region: scope.region,
        name: input.Name,
        arn: arn ?? newSecretArn(scope, input.Name),
        description: input.Description,
        kmsKeyArn,
        tags,
        tagged: input.Tags !== undefined,
        createdAt: scope.now,
        lastChangedAt: scope.now,
      });
      noteChange(tx, secret, 'SecretCreated');
      if (value) await this.writeVersion(tx, scope, secret, new Map(), token, value, [AWSCURRENT]);
      // In the same unit: a secret is never made without the replicas asked for.
      if (replicas) await replicas.addTo(tx, secret, input.AddReplicaRegions!, input.ForceOverwriteReplicaSecret === true);
      return { ARN: secret.arn, Name: secret.name, VersionId: value ? token : undefined };
    });
    if (!replicas) return result;
    const created = await this.storage.secrets.findByArn(result.ARN);
    return { ...result, replication: (created && (await replicaViews(this.storage, created))) ?? [] };
  }

  /** Checks the replica regions of a new secret and makes the keys they need, before its unit of work. */
  private async prepareReplicas(scope: RequestScope, requested: ReplicaRegionInput[]): Promise<ReplicationService> {
    if (!this.replication) throw new Error('this SecretService was made without replication');
    this.replication.checkRegions(scope.region, requested);
    await this.replication.prepareKeys(scope, requested.map((r) => ({ region: r.Region, kmsKeyId: r.KmsKeyId })));
    return this.replication;
  }

  async putValue(scope: RequestScope, input: PutSecretValueInput): Promise<WriteResult> {
    const token = requireToken(input.ClientRequestToken);
    const value = valueOf(input);
    if (!value) throw SecretsErrors.invalidRequest('You must provide either SecretString or SecretBinary.');
    await this.prepareKeys(scope, undefined);
    return this.storage.transaction(async (tx) => {
      const secret = await findWritable(tx, scope, input.SecretId);
      assertNotDeleted(secret);
      const stages = await stagesOfSecret(tx, secret.id);
      const labels = input.VersionStages ?? [AWSCURRENT];
      const next = await this.writeVersion(tx, scope, secret, stages, token, value, labels);
      return { ARN: secret.arn, Name: secret.name, VersionId: token, VersionStages: labelsOf(next, token) };
    });
  }

  async update(scope: RequestScope, input: UpdateSecretInput): Promise<WriteResult> {
    const value = valueOf(input);
    const token = value ? requireToken(input.ClientRequestToken) : input.ClientRequestToken;
    const kmsKeyArn = await this.prepareKeys(scope, input.KmsKeyId);
    return this.storage.transaction(async (tx) => {
      const secret = await findSecret(tx, scope, input.SecretId);
      if (secret.primaryRegion !== undefined) return this.changeReplicaKey(tx, secret, input, kmsKeyArn);
      assertNotDeleted(secret);
      if (input.Description !== undefined) secret.description = input.Description;
      // An empty KmsKeyId switches back to the default key.
      if (input.KmsKeyId !== undefined) {
        secret.kmsKeyArn = kmsKeyArn;
        await rewrapLabelledVersions(tx, this.cipher.within(tx), await this.keyFor(scope, secret.kmsKeyArn ?? DEFAULT_KEY_ALIAS, tx), secret);
      }
      secret.lastChangedAt = scope.now;
      await tx.secrets.update(secret);
      if (input.Description !== undefined || input.KmsKeyId !== undefined) noteChange(tx, secret, 'SecretUpdated');
      if (!value || token === undefined) return { ARN: secret.arn, Name: secret.name };
      const stages = await stagesOfSecret(tx, secret.id);
      await this.writeVersion(tx, scope, secret, stages, token, value, [AWSCURRENT]);
      return { ARN: secret.arn, Name: secret.name, VersionId: token };
    });
  }

  async updateVersionStage(
    scope: RequestScope,
    input: { SecretId: string; VersionStage: string; RemoveFromVersionId?: string; MoveToVersionId?: string },
  ): Promise<WriteResult> {
    const { VersionStage: label, RemoveFromVersionId: from, MoveToVersionId: to } = input;
    return this.storage.transaction(async (tx) => {
      const secret = await findWritable(tx, scope, input.SecretId);
      assertNotDeleted(secret);
      const stages = await stagesOfSecret(tx, secret.id);
      for (const versionId of [from, to]) {
        if (versionId !== undefined && !(await tx.secrets.version(secret.id, versionId))) {
          throw SecretsErrors.invalidParameter(`Secrets Manager can't find the specified secret version: ${versionId}.`);
        }
      }
      const holder = stages.get(label);
      // "If the label is attached and you either do not specify this parameter, or the version ID
      // does not match, then the operation fails" — a named RemoveFromVersionId must hold the label.
      if (from !== undefined && holder !== from) {
        throw SecretsErrors.invalidParameter(`The staging label ${label} is not attached to version ${from}.`);
      }
      if (to === undefined) {
        if (from === undefined) throw SecretsErrors.invalidParameter('You must specify MoveToVersionId, RemoveFromVersionId, or both.');
        if (label === AWSCURRENT) {
          throw SecretsErrors.invalidParameter(
            'You can only move the staging label AWSCURRENT to another version; you can\'t remove it from the secret.',
          );
        }
      } else if (holder !== undefined && holder !== to && from === undefined) {
        throw SecretsErrors.invalidParameter(
          `The parameter RemoveFromVersionId can't be empty. Staging label ${label} is currently attached to version ${holder}, so you must explicitly reference that version in RemoveFromVersionId.`,
        );
      }
      const next = moveLabel(stages, label, to);
      await this.saveStages(tx, scope, secret, next);
      noteChange(tx, secret, 'StagesChanged', { stages: next });
      return { ARN: secret.arn, Name: secret.name };
    });
  }

  async delete(
    scope: RequestScope,
    input: { SecretId: string; RecoveryWindowInDays?: number; ForceDeleteWithoutRecovery?: boolean },
  ): Promise<{ ARN?: string; Name?: string; DeletionDate: number }> {
    const force = input.ForceDeleteWithoutRecovery === true;
    if (force && input.RecoveryWindowInDays !== undefined) {
      throw SecretsErrors.invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    const days = input.RecoveryWindowInDays ?? 30;
    if (!Number.isInteger(days) || days < 7 || days > 30) {
      throw SecretsErrors.invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
    }
    return this.storage.transaction(async (tx) => {
      const secret = await lookup(tx, scope, input.SecretId);
      if (!secret) {
        // AWS answers a forced delete of a missing secret with success.
        if (force) return { DeletionDate: scope.now };
        throw SecretsErrors.notFound();
      }
      assertNotReplica(secret);
      // A primary goes only once its replicas are gone (RemoveRegionsFromReplication), whatever the recovery window.
      if (secret.replicas?.length) throw ReplicationErrors.stillReplicated(secret.arn, secret.replicas.map((r) => r.region));
      if (force) {
        await tx.secrets.purge(secret.id);
        noteChange(tx, secret, 'SecretPurged');
        return { ARN: secret.arn, Name: secret.name, DeletionDate: scope.now };
      }
      if (secret.deletedAt !== undefined) {
        throw SecretsErrors.invalidRequest("You tried to perform the operation on a secret that's currently marked deleted.");
      }
      secret.deletedAt = scope.now;
      secret.deletionDate = scope.now + days * DAY_MS;
      await tx.secrets.update(secret);
      noteChange(tx, secret, 'SecretDeleted', { deletionDate: secret.deletionDate });
      return { ARN: secret.arn, Name: secret.name, DeletionDate: secret.deletionDate };
    });
  }

  async restore(scope: RequestScope, secretId: string): Promise<WriteResult> {
    return this.storage.transaction(async (tx) => {
      const secret = await findWritable(tx, scope, secretId);
      if (secret.deletedAt !== undefined) noteChange(tx, secret, 'SecretRestored');
      secret.deletedAt = undefined;
      secret.deletionDate = undefined;
      await tx.secrets.update(secret);
      return { ARN: secret.arn, Name: secret.name };
    });
  }

  async tag(scope: RequestScope, secretId: string, tags: Tag[]): Promise<void> {
    await this.changeTags(scope, secretId, (current) => {
      const merged = new Map(current.map((t) => [t.Key, t.Value]));
      for (const tag of validateTags(tags)) merged.set(tag.Key, tag.Value);
      return [...merged].map(([Key, Value]) => ({ Key, Value }));
    });
  }

  async untag(scope: RequestScope, secretId: string, keys: string[]): Promise<void> {
    const removed = new Set(keys);
    await this.changeTags(scope, secretId, (current) => current.filter((t) => !removed.has(t.Key)));
  }

  /** Purges a batch of secrets whose recovery window has ended; returns them. */
  async purgeExpired(now: number, batch = 100): Promise<SecretRecord[]> {
    return this.storage.transaction(async (tx) => {
      const due = await tx.secrets.dueForPurge(now, batch);
      for (const secret of due) {
        await tx.secrets.purge(secret.id);
        noteChange(tx, secret, 'SecretPurged');
      }
      return due;
    });
  }

  private async changeTags(scope: RequestScope, secretId: string, change: (tags: Tag[]) => Tag[]): Promise<void> {
    await this.changeSecret(scope, secretId, (secret) => {
      secret.tags = validateTags(change(secret.tags));
      secret.tagged = true;
    });
  }

  /** Stores (a validated document) or removes the secret's resource policy. */
  async setResourcePolicy(scope: RequestScope, secretId: string, document: string | undefined): Promise<WriteResult> {
    const stored = document === undefined ? undefined : packPolicy({ document, principalIds: await this.principalIdsOf(document) });
    return this.changeSecret(scope, secretId, (secret) => {
      secret.resourcePolicy = stored;
    });
  }

  /**
   * The unique id of each user and role the policy names: the policy grants to them, not to
   * later namesakes. One that does not exist yet is bound to no one (AWS refuses such a policy).
   */
  private async principalIdsOf(document: string): Promise<Record<string, string>> {
    const ids: Record<string, string> = {};
    for (const arn of namedPrincipalArns(document)) {
      ids[arn] = (await this.storage.iam.findEntityByArn(arn))?.id ?? NO_SUCH_PRINCIPAL;
    }
    return ids;
  }

  /** Changes a secret's metadata in one unit: the secret must exist and not be marked for deletion. */
  private async changeSecret(scope: RequestScope, secretId: string, change: (secret: SecretRecord) => void): Promise<WriteResult> {
    return this.storage.transaction(async (tx) => {
      const secret = await findWritable(tx, scope, secretId);
      assertNotDeleted(secret);
      change(secret);
      secret.lastChangedAt = scope.now;
      await tx.secrets.update(secret);
      noteChange(tx, secret, 'SecretUpdated');
      return { ARN: secret.arn, Name: secret.name };
    });
  }

  /**
   * UpdateSecret on a replica: its key is the one thing a replica's region decides (as in AWS).
   * The primary records the replica's new key, and the unit's end moves the replica to it.
   */
  private async changeReplicaKey(tx: Repositories, replica: SecretRecord, input: UpdateSecretInput, kmsKeyArn: string | undefined): Promise<WriteResult> {
    if (valueOf(input) || input.Description !== undefined || input.KmsKeyId === undefined) throw ReplicationErrors.notPermittedOnReplica();
    assertNotDeleted(replica);
    const primary = await tx.secrets.findByArn(arnInRegion(replica.arn, replica.primaryRegion!));
    const link = primary?.replicas?.find((r) => r.region === replica.region);
    if (!primary || !link) throw ReplicationErrors.notPermittedOnReplica();
    link.kmsKeyId = kmsKeyArn;
    await tx.secrets.update(primary);
    return { ARN: replica.arn, Name: replica.name };
  }

  /** A CreateSecret for a name that exists: idempotent success, or the error AWS gives. */
  private async repeatCreate(tx: Repositories, existing: SecretRecord, token: string, value: PlainValue | undefined): Promise<WriteResult> {
    if (existing.deletedAt !== undefined) {
      throw SecretsErrors.invalidRequest(
        "You can't create this secret because a secret with this name is already scheduled for deletion.",
      );
    }
    const version = await tx.secrets.version(existing.id, token);
    if (!version) throw SecretsErrors.exists(`The operation failed because the secret ${existing.name} already exists.`);
    if (!value || !(await this.holdsValue(tx, existing, version, value))) throw tokenInUse(token, existing.arn);
    return { ARN: existing.arn, Name: existing.name, VersionId: token };
  }

  /**
   * Stores `value` as version `token` and moves `labels` to it. A token that
   * names a version with the same value changes nothing; one with another value
   * is refused; one naming a value-less placeholder (rotation) fills it.
   */
  private async writeVersion(
    tx: UnitOfWork,
    scope: RequestScope,
    secret: SecretRecord,
    stages: StageMap,
    token: string,
    value: PlainValue,
    labels: string[],
  ): Promise<StageMap> {
    const existing = await tx.secrets.version(secret.id, token);
    if (existing?.ciphertext) {
      if (!(await this.holdsValue(tx, secret, existing, value))) throw tokenInUse(token, secret.arn);
      return stages;
    }
    const key = await this.keyFor(scope, secret.kmsKeyArn ?? DEFAULT_KEY_ALIAS, tx);
    const sealed = await this.cipher.within(tx).encrypt(key, secret.arn, token, value.type, value.bytes);
    const version = {
      secretId: secret.id,
      versionId: token,
      createdAt: existing?.createdAt ?? scope.now,
      valueType: value.type,
      ...sealed,
      // The key as the secret names it; undefined is the default key (listed as DefaultEncryptionKey).
      kmsKeyArn: secret.kmsKeyArn,
    };
    if (existing) await tx.secrets.fillVersion(version);
    else await tx.secrets.insertVersion(version);
    const next = attachNewValue(stages, token, labels);
    await this.saveStages(tx, scope, secret, next);
    await tx.secrets.pruneVersions(secret.id, RETAINED_VERSIONS, scope.now - DAY_MS);
    noteChange(tx, secret, 'VersionCreated', { versionId: token, stages: next });
    return next;
  }

  private async holdsValue(
    tx: Repositories,
    secret: SecretRecord,
    version: VersionRecord,
    value: PlainValue,
  ): Promise<boolean> {
    const sealed = sealedVersion(version);
    if (!sealed) return false;
    const stored = await this.cipher.within(tx).decrypt(secret.arn, sealed);
    try {
      return sameValue({ type: sealed.valueType, bytes: stored }, value);
    } finally {
      stored.fill(0);
    }
  }

  /** Stores a secret's new labels (within AWS's limit) and marks the secret changed. */
  private async saveStages(tx: Repositories, scope: RequestScope, secret: SecretRecord, stages: StageMap): Promise<void> {
    if (stages.size > MAX_LABELS_PER_SECRET) {
      throw SecretsErrors.limitExceeded(`A secret can have at most ${MAX_LABELS_PER_SECRET} staging labels.`);
    }
    await tx.secrets.setStages(secret.id, stages);
    secret.lastChangedAt = scope.now;
    await tx.secrets.update(secret);
  }


  /**
   * Checks a requested key and makes sure the default key exists before a
   * write transaction opens (creating it needs a transaction of its own).
   * Returns the KmsKeyId to store: undefined for the default key however it
   * was named, since AWS omits KmsKeyId for aws/secretsmanager.
   */
  private async prepareKeys(scope: RequestScope, requested: string | undefined): Promise<string | undefined> {
    const defaultKey = await this.keyFor(scope, DEFAULT_KEY_ALIAS);
    if (!requested) return undefined;
    let key: KmsKeyRecord;
    try {
      key = await this.keys.resolveKey(scope, requested);
    } catch (error) {
      // A key that does not exist is a bad parameter, as AWS reports it; other key failures are EncryptionFailure.
      if (error instanceof ServiceError && error.code === 'NotFoundException') {
        throw SecretsErrors.invalidParameter(`The operation failed because of an invalid KMS key: ${error.message}`);
      }
      throw keyFailure('encrypt', error);
    }
    try {
      assertUsable(key);
    } catch (error) {
      throw keyFailure('encrypt', error);
    }
    return key.id === defaultKey.id ? undefined : requested;
  }

  /** Resolves a key; inside a unit of work, pass its repositories. */
  private async keyFor(scope: RequestScope, ref: string, tx?: Repositories): Promise<KmsKeyRecord> {
    try {
      return await (tx ? this.keys.within(tx) : this.keys).resolveKey(scope, ref);
    } catch (error) {
      throw keyFailure('encrypt', error);
    }
  }
}

function tokenInUse(token: string, arn: string) {
  return SecretsErrors.exists(
    `You can't use ClientRequestToken ${token} because that value is already in use for a version of secret ${arn}.`,
  );
}
