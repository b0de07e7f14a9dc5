import { ServiceError } from '../errors/service-error.js';
import { assertUsable, type KeyService } from '../keys/key-service.js';
import { KmsErrors } from '../keys/kms-errors.js';
import type { KmsKeyRecord, NewVersion, ReplicaRecord, Repositories, SecretRecord, VersionRecord } from '../storage/index.js';
import { arnInRegion, partitionOf } from './secret-arn.js';
import { DEFAULT_KEY_ALIAS, keyFailure, sealedVersion, type SecretCipher } from './secret-cipher.js';
import type { RequestScope } from '../shared/request-scope.js';
import { ReplicationMessages } from './replication-errors.js';
import { rewrapLabelledVersions } from './version-rewrap.js';

/** A replica's own copy of a primary's version (sealed under the replica's key and ARN, or a placeholder), and whether it fills one the replica holds. */
type VersionCopy = { version: Omit<NewVersion, 'secretId'>; fill: boolean };

/** What of a primary its replicas carry as their own metadata. */
function replicatedFields(primary: SecretRecord, link: ReplicaRecord) {
  return {
    description: primary.description,
    kmsKeyArn: link.kmsKeyId,
    tags: primary.tags,
    tagged: primary.tagged || undefined,
    lastChangedAt: primary.lastChangedAt,
    deletedAt: primary.deletedAt,
    deletionDate: primary.deletionDate,
    // The primary's, shown; the scheduler passes replicas by (the primary rotates, its new value follows), and a promoted replica keeps it.
    rotation: primary.rotation,
    resourcePolicy: primary.resourcePolicy,
    primaryRegion: primary.region,
  };
}

/** JSON with object keys sorted, to compare records however their members were assigned. */
const stable = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));

/** Whether `secret` is the replica of `primary` in its region (and not a namesake, or a replica since promoted). */
export function isReplicaOf(secret: SecretRecord, primary: SecretRecord): boolean {
  return secret.primaryRegion === primary.region && secret.arn === arnInRegion(primary.arn, secret.region);
}

/**
 * Brings a primary's replicas up to date inside a unit of work: each replica is the primary's
 * secret in its region (same name and ARN suffix) with the primary's metadata, versions and
 * labels, every value sealed again under the replica's own key and ARN. A replica that cannot be
 * brought up to date (its key missing or disabled, the primary's value unreadable, another
 * secret holding its name) is left as it was and reported Failed, with the reason; the others,
 * and the change to the primary, go ahead.
 */
export class ReplicaSync {
  constructor(
    private readonly keys: KeyService,
    private readonly cipher: SecretCipher,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Syncs every replica of `primary`, stores their new states on it when they changed, and returns them. */
  async syncAll(tx: Repositories, primary: SecretRecord): Promise<ReplicaRecord[]> {
    const links = primary.replicas ?? [];
    const versions = await tx.secrets.versions(primary.id);
    const next: ReplicaRecord[] = [];
    for (const link of links) next.push(await this.syncOne(tx, primary, versions, link));
    if (stable(next) !== stable(links)) {
      primary.replicas = next;
      await tx.secrets.update(primary);
    }
    return next;
  }

  private async syncOne(tx: Repositories, primary: SecretRecord, versions: VersionRecord[], link: ReplicaRecord): Promise<ReplicaRecord> {
    const scope: RequestScope = { account: primary.account, region: link.region, partition: partitionOf(primary.arn), now: this.clock() };
    const arn = arnInRegion(primary.arn, link.region);
    const existing = await tx.secrets.findByName(primary.account, link.region, primary.name);
    if (existing && !isReplicaOf(existing, primary)) return failed(link, ReplicationMessages.nameExists);
    const held = existing ? await tx.secrets.versions(existing.id) : [];
    let key: KmsKeyRecord;
    let copies: VersionCopy[];
    try {
      key = await this.replicaKey(tx, scope, link.kmsKeyId);
      // Every value is sealed before anything is written: a failure leaves the replica as it was.
      copies = await this.copies(tx, primary, arn, versions, held, key, link.kmsKeyId);
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      return failed(link, error.message);
    }
    const fields = replicatedFields(primary, link);
    const replica = existing ?? (await tx.secrets.insert({ account: primary.account, region: link.region, name: primary.name, arn, createdAt: scope.now, ...fields }));
    for (const { version, fill } of copies) {
      const copy = { ...version, secretId: replica.id };
      await (fill ? tx.secrets.fillVersion(copy) : tx.secrets.insertVersion(copy));
    }
    // Versions the primary no longer keeps (AWS's retention pruned them) go here too.
    const kept = new Set(versions.map((v) => v.versionId));
    await tx.secrets.deleteVersions(replica.id, held.map((v) => v.versionId).filter((id) => !kept.has(id)));
    const stages = stagesIn(versions);
    if (stable([...stages].sort()) !== stable([...stagesIn(held)].sort())) await tx.secrets.setStages(replica.id, stages);
    if (existing && existing.kmsKeyArn !== link.kmsKeyId) {
      // The replica moves to another key (its own choice): its labelled versions get the new wrapping too.
      await rewrapLabelledVersions(tx, this.cipher.within(tx), key, { ...existing, kmsKeyArn: link.kmsKeyId });
    }
    if (existing && stable(pick(existing, fields)) !== stable(fields)) await tx.secrets.update({ ...existing, ...fields });
    return { ...link, status: 'InSync', statusMessage: ReplicationMessages.succeeded };
  }

  /**
   * The replica's key, usable, in its region. The default key must already exist there (it is
   * made before a replica is added; making it takes a unit of work of its own).
   */
  private async replicaKey(tx: Repositories, scope: RequestScope, kmsKeyId: string | undefined): Promise<KmsKeyRecord> {
    try {
      if (kmsKeyId === undefined && !(await tx.keys.findAlias(scope.account, scope.region, DEFAULT_KEY_ALIAS))) {
        throw KmsErrors.notFound(`Alias arn:${scope.partition}:kms:${scope.region}:${scope.account}:${DEFAULT_KEY_ALIAS} is not found.`);
      }
      const key = await this.keys.within(tx).resolveKey(scope, kmsKeyId ?? DEFAULT_KEY_ALIAS);
      assertUsable(key);
      return key;
    } catch (error) {
      throw keyFailure('encrypt', error);
    }
  }

  /** The versions the replica lacks, or holds only as placeholders, sealed for it. */
  private async copies(
    tx: Repositories,
    primary: SecretRecord,
    replicaArn: string,
    versions: VersionRecord[],
    held: VersionRecord[],
    key: KmsKeyRecord,
    kmsKeyArn: string | undefined,
  ): Promise<VersionCopy[]> {
    const cipher = this.cipher.within(tx);
    const heldById = new Map(held.map((v) => [v.versionId, v]));
    const copies: VersionCopy[] = [];
    for (const version of versions) {
      const mine = heldById.get(version.versionId);
      const sealed = sealedVersion(version);
      if (mine && (sealedVersion(mine) || !sealed)) continue;
      const copy: VersionCopy['version'] = { versionId: version.versionId, createdAt: version.createdAt, kmsKeyArn };
      if (sealed) {
        const plaintext = await cipher.decrypt(primary.arn, sealed);
        try {
          Object.assign(copy, { valueType: sealed.valueType }, await cipher.encrypt(key, replicaArn, version.versionId, sealed.valueType, plaintext));
        } finally {
          plaintext.fill(0);
        }
      }
      copies.push({ version: copy, fill: mine !== undefined });
    }
    return copies;
  }
}

function failed(link: ReplicaRecord, statusMessage: string): ReplicaRecord {
  return { ...link, status: 'Failed', statusMessage };
}

/** A secret's labels (label → versionId), from its versions. */
function stagesIn(versions: VersionRecord[]): Map<string, string> {
  return new Map(versions.flatMap((v) => v.stages.map((label): [string, string] => [label, v.versionId])));
}

/** The members of `record` that `like` has. */
function pick(record: SecretRecord, like: object): Record<string, unknown> {
  return Object.fromEntries(Object.keys(like).map((name) => [name, record[name as keyof SecretRecord]]));
}
