import type { ServiceEvent, ServiceEventRecorder } from '../audit/service-events.js';
import { KMS_SOURCE, keyResource, SECRETS_MANAGER_SOURCE, secretResource } from '../audit/service-events.js';
import type { AccessKeyStore } from '../iam/access-key-store.js';
import type { KeyAdmin } from '../keys/key-admin.js';
import type { SecretService } from '../secrets/secret-service.js';
import type { RecoveredReplica, ReplicationService } from '../secrets/replication-service.js';
import type { KmsKeyRecord, SecretRecord } from '../storage/index.js';
import type { SweepTask } from './sweeper.js';

/** A sweep task whose every item is also recorded in the audit log as a service event. */
function recorded<T>(done: string, run: (now: number) => Promise<T[]>, events: ServiceEventRecorder, event: (item: T) => ServiceEvent): SweepTask {
  return {
    done,
    run: async (now) => {
      const items = await run(now);
      for (const item of items) await events(event(item));
      return items.length;
    },
  };
}

/** A service event about a secret or a key, for the task that acted on it. */
const secretEvent = (eventName: string) => (s: SecretRecord): ServiceEvent => ({
  eventSource: SECRETS_MANAGER_SOURCE,
  eventName,
  account: s.account,
  region: s.region,
  resources: [secretResource(s.arn, s.account)],
});
const keyEvent = (eventName: string) => (k: KmsKeyRecord): ServiceEvent => ({
  eventSource: KMS_SOURCE,
  eventName,
  account: k.account,
  region: k.region,
  resources: [keyResource(k.arn, k.account)],
});

/** A replica in sync again, as CloudTrail records Secrets Manager's own replication. */
const replicatedEvent = ({ secret, region }: RecoveredReplica): ServiceEvent => ({
  ...secretEvent('ReplicationSucceeded')(secret),
  details: { replicaRegion: region },
});

/**
 * What the background sweeper does: deletions and key rotations that fall due, expired
 * temporary keys, and replicas whose replication failed, tried again.
 */
export function backgroundTasks(deps: {
  secrets: SecretService;
  admin: KeyAdmin;
  accessKeys: AccessKeyStore;
  replication: ReplicationService;
  events: ServiceEventRecorder;
}): SweepTask[] {
  const { secrets, admin, events } = deps;
  return [
    recorded('purged secrets whose recovery window ended', (now) => secrets.purgeExpired(now), events, secretEvent('EndSecretDeletion')),
    recorded('destroyed keys whose deletion window ended', (now) => admin.destroyDue(now), events, keyEvent('DeleteKey')),
    recorded('rotated keys whose rotation period ended', (now) => admin.rotateDue(now), events, keyEvent('RotateKey')),
    { done: 'removed expired temporary access keys', run: (now) => deps.accessKeys.deleteExpired(now) },
    { ...recorded('replicated secrets whose replication had failed', () => deps.replication.retryFailed(), events, replicatedEvent), anyTime: true },
  ];
}
