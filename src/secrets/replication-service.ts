import type { KeyService } from '../keys/key-service.js';
import type { ReplicaRecord, Repositories, SecretRecord, Storage } from '../storage/index.js';
import { arnInRegion, partitionOf } from './secret-arn.js';
import { DEFAULT_KEY_ALIAS } from './secret-cipher.js';
import { assertNotDeleted, findSecret, findWritable } from './secret-lookup.js';
import type { RequestScope, Scope } from '../shared/request-scope.js';
import { isReplicaOf, type ReplicaSync } from './replica-sync.js';
import { replicaViews, type ReplicaView } from './replica-views.js';
import { ReplicationErrors } from './replication-errors.js';

/** A region to replicate to, as CreateSecret and ReplicateSecretToRegions name it. */
export interface ReplicaRegionInput {
  Region: string;
  /** The replica's key in its region; absent or empty: that region's aws/secretsmanager. */
  KmsKeyId?: string;
}

export interface ReplicationResult {
  ARN: string;
  replication: ReplicaView[];
}

/** A replica that was Failed and is in sync again. */
export interface RecoveredReplica {
  secret: SecretRecord;
  region: string;
}

const RETRY_BATCH = 50;

/**
 * Replication of secrets to other regions of the deployment (a region is a namespace: the one a
 * request's signature names). Adding, removing and promoting replicas; the copying itself is
 * ReplicaSync's, at the end of every unit of work that changes a primary (`storage` is the
 * replicating storage), and of the background retry of failed replicas.
 */
export class ReplicationService {
  constructor(
    private readonly storage: Storage,
    private readonly keys: KeyService,
    private readonly sync: ReplicaSync,
  ) {}

  /** Regions checked before anything changes: not the primary's own, none named twice. */
  checkRegions(primaryRegion: string, requested: ReplicaRegionInput[]): void {
    const seen = new Set<string>();
    for (const { Region: region } of requested) {
      if (region === primaryRegion || seen.has(region)) throw ReplicationErrors.invalidRegion();
      seen.add(region);
    }
  }

  /** Makes the default key of each region whose replica uses it: made on first use, in a unit of work of its own. */
  async prepareKeys(scope: Pick<Scope, 'account' | 'partition'>, replicas: { region: string; kmsKeyId?: string }[]): Promise<void> {
    for (const { region, kmsKeyId } of replicas) {
      if (!kmsKeyId) await this.keys.awsManagedKey({ account: scope.account, partition: scope.partition, region }, DEFAULT_KEY_ALIAS);
    }
  }

  /**
   * In the unit `tx`: `secret` is replicated to these regions too (a region it already is
   * replicated to only with `force`, to take a new key). With `force`, a secret of the same name
   * in a region gives way. The unit's end brings each replica in sync, or reports why not.
   */
  async addTo(tx: Repositories, secret: SecretRecord, requested: ReplicaRegionInput[], force: boolean): Promise<void> {
    const links = [...(secret.replicas ?? [])];
    for (const { Region: region, KmsKeyId } of requested) {
      const index = links.findIndex((link) => link.region === region);
      if (index >= 0 && !force) throw ReplicationErrors.alreadyReplicated(secret.arn, region);
      if (force) await this.overwrite(tx, secret, region);
      const link: ReplicaRecord = { region, kmsKeyId: KmsKeyId || undefined, status: 'InProgress' };
      if (index >= 0) links[index] = link;
      else links.push(link);
    }
    secret.replicas = links;
    await tx.secrets.update(secret);
  }

  /** ReplicateSecretToRegions: the primary's replicas after the call. */
  async replicate(scope: RequestScope, input: { SecretId: string; AddReplicaRegions: ReplicaRegionInput[]; ForceOverwriteReplicaSecret?: boolean }): Promise<ReplicationResult> {
    this.checkRegions(scope.region, input.AddReplicaRegions);
    await this.prepareKeys(scope, input.AddReplicaRegions.map((r) => ({ region: r.Region, kmsKeyId: r.KmsKeyId })));
    const arn = await this.storage.transaction(async (tx) => {
      const secret = await findWritable(tx, scope, input.SecretId);
      assertNotDeleted(secret);
      await this.addTo(tx, secret, input.AddReplicaRegions, input.ForceOverwriteReplicaSecret === true);
      return secret.arn;
    });
    return this.resultOf(arn);
  }

  /** RemoveRegionsFromReplication: the replicas in those regions are deleted at once; a region not replicated to is no error. */
  async remove(scope: RequestScope, input: { SecretId: string; RemoveReplicaRegions: string[] }): Promise<ReplicationResult> {
    const removed = new Set(input.RemoveReplicaRegions);
    const arn = await this.storage.transaction(async (tx) => {
      const secret = await findWritable(tx, scope, input.SecretId);
      for (const { region } of secret.replicas ?? []) {
        if (!removed.has(region)) continue;
        const replica = await tx.secrets.findByName(secret.account, region, secret.name);
        if (replica && isReplicaOf(replica, secret)) await tx.secrets.purge(replica.id);
      }
      secret.replicas = secret.replicas?.filter((link) => !removed.has(link.region));
      await tx.secrets.update(secret);
      return secret.arn;
    });
    return this.resultOf(arn);
  }

  /** StopReplicationToReplica, in the replica's region: it becomes a secret of its own there, and its primary lets it go. */
  async stop(scope: RequestScope, secretId: string): Promise<{ ARN: string }> {
    return this.storage.transaction(async (tx) => {
      const replica = await findSecret(tx, scope, secretId);
      if (replica.primaryRegion === undefined) throw ReplicationErrors.notAReplica(replica.arn);
      const primary = await tx.secrets.findByArn(arnInRegion(replica.arn, replica.primaryRegion));
      if (primary) {
        primary.replicas = primary.replicas?.filter((link) => link.region !== replica.region);
        await tx.secrets.update(primary);
      }
      replica.primaryRegion = undefined;
      await tx.secrets.update(replica);
      return { ARN: replica.arn };
    });
  }

  /**
   * Background work: tries every failed replica again (its key may be back, its region's
   * namesake gone). Returns the replicas that are in sync again.
   */
  async retryFailed(): Promise<RecoveredReplica[]> {
    const recovered: RecoveredReplica[] = [];
    let after = 0;
    for (;;) {
      const page = await this.storage.secrets.withFailedReplicas(after, RETRY_BATCH);
      for (const found of page) {
        after = found.id;
        await this.prepareKeys({ account: found.account, partition: partitionOf(found.arn) }, found.replicas ?? []);
        recovered.push(...(await this.storage.transaction((tx) => this.retry(tx, found.id))));
      }
      if (page.length < RETRY_BATCH) return recovered;
    }
  }

  private async retry(tx: Repositories, id: number): Promise<RecoveredReplica[]> {
    const primary = await tx.secrets.findById(id);
    if (!primary?.replicas?.length) return [];
    const failed = new Set(primary.replicas.filter((link) => link.status === 'Failed').map((link) => link.region));
    const now = await this.sync.syncAll(tx, primary);
    return now.filter((link) => link.status === 'InSync' && failed.has(link.region)).map((link) => ({ secret: primary, region: link.region }));
  }

  /** ForceOverwriteReplicaSecret: another secret of the name in `region` gives way, unless it has replicas of its own. */
  private async overwrite(tx: Repositories, secret: SecretRecord, region: string): Promise<void> {
    const other = await tx.secrets.findByName(secret.account, region, secret.name);
    if (other && !isReplicaOf(other, secret) && !other.replicas?.length) await tx.secrets.purge(other.id);
  }

  private async resultOf(arn: string): Promise<ReplicationResult> {
    const secret = await this.storage.secrets.findByArn(arn);
    return { ARN: arn, replication: (secret && (await replicaViews(this.storage, secret))) ?? [] };
  }
}
