import type { ReplicaRecord, Repositories, SecretRecord } from '../storage/index.js';
import { isReplicaOf } from './replica-sync.js';

/** A replica as ReplicationStatus shows it: its state, and the day it was last read in its region. */
export interface ReplicaView extends ReplicaRecord {
  lastAccessedAt?: number;
}

/** The region PrimaryRegion names: a replica's primary's, a primary's own; none for a secret that is neither. */
export function primaryRegionOf(secret: SecretRecord): string | undefined {
  return secret.primaryRegion ?? (secret.replicas?.length ? secret.region : undefined);
}

/** A primary's replicas with their read dates (each read in its own region); undefined for a secret without replicas. */
export async function replicaViews(repos: Pick<Repositories, 'secrets'>, secret: SecretRecord): Promise<ReplicaView[] | undefined> {
  if (!secret.replicas?.length) return undefined;
  const views: ReplicaView[] = [];
  for (const link of secret.replicas) {
    const replica = await repos.secrets.findByName(secret.account, link.region, secret.name);
    views.push({ ...link, lastAccessedAt: replica && isReplicaOf(replica, secret) ? replica.lastAccessedAt : undefined });
  }
  return views;
}
