// Actions Coffer takes on its own leave their own audit records: purges,
// key destruction, key rotation and replicas brought back in sync by the sweeper (injected clock).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { backgroundTasks } from '../../src/app/background-tasks.js';
import { Sweeper } from '../../src/app/sweeper.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import { serviceEventRecorder } from '../../src/audit/service-events.js';
import { AccessKeyStore } from '../../src/iam/access-key-store.js';
import { KeyAdmin } from '../../src/keys/key-admin.js';
import { KeyService } from '../../src/keys/key-service.js';
import { RootKey } from '../../src/keys/root-key.js';
import { DAY_MS } from '../../src/shared/days.js';
import type { RequestScope } from '../../src/shared/request-scope.js';
import { SecretService } from '../../src/secrets/secret-service.js';
import { SecretCipher } from '../../src/secrets/secret-cipher.js';
import { ReplicaSync } from '../../src/secrets/replica-sync.js';
import { replicating } from '../../src/secrets/replicating-storage.js';
import { ReplicationService } from '../../src/secrets/replication-service.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';

const T0 = Date.UTC(2030, 5, 1);
const scope = (now = T0): RequestScope => ({ account: '000000000000', region: 'us-east-1', partition: 'aws', now });

test('a sweep that purges a secret, destroys a key, rotates another and brings a replica back in sync records each as a service event', async () => {
  const storage = SqliteStorage.open(':memory:');
  const root = new RootKey(randomBytes(32));
  const keys = new KeyService(storage, root);
  let now = T0;
  const sync = new ReplicaSync(keys, new SecretCipher(keys), () => now);
  const secrets = new SecretService(replicating(storage, sync), keys, new ReplicationService(replicating(storage, sync), keys, sync));
  const admin = new KeyAdmin(storage, keys);
  const logger = pino({ level: 'silent' });
  const audit = await AuditLog.open({ path: ':memory:', logger, clock: () => now });
  const events = serviceEventRecorder(audit, () => now);
  const replication = new ReplicationService(storage, keys, sync);
  const sweeper = new Sweeper(backgroundTasks({ secrets, admin, accessKeys: new AccessKeyStore(storage, root), replication, events }), logger, () => now);
  try {
    const created = await secrets.create(scope(), { Name: 'short-lived', SecretString: 'v', ClientRequestToken: 'a'.repeat(32) });
    // A replica whose key is disabled fails, and is tried again at every sweep.
    const replicaKey = await admin.createKey({ ...scope(), region: 'eu-west-1' }, {});
    await admin.disable({ ...scope(), region: 'eu-west-1' }, replicaKey.id);
    const replicated = await secrets.create(scope(), {
      Name: 'replicated',
      SecretString: 'v',
      ClientRequestToken: 'b'.repeat(32),
      AddReplicaRegions: [{ Region: 'eu-west-1', KmsKeyId: replicaKey.id }],
    });
    assert.equal(replicated.replication?.[0]?.status, 'Failed');
    await secrets.delete(scope(), { SecretId: 'short-lived', RecoveryWindowInDays: 7 });
    const doomed = await admin.createKey(scope(), {});
    await admin.scheduleDeletion(scope(), doomed.id, 7);
    const rotating = await admin.createKey(scope(), {});
    await admin.enableRotation(scope(), rotating.id, 90);

    now = T0 + DAY_MS;
    await sweeper.sweep();
    assert.equal((await audit.entries(0, 100)).length, 0, 'nothing due, nothing recorded');

    await admin.enable({ ...scope(), region: 'eu-west-1' }, replicaKey.id);
    now = T0 + 90 * DAY_MS;
    await sweeper.sweep();
    const records = (await audit.entries(0, 100)).map((e) => JSON.parse(e.recordJson));
    const summary = records.map((r) => [r.eventSource, r.eventName, r.eventType, r.resources[0].ARN, r.userIdentity.type, r.eventTime]);
    assert.deepEqual(summary, [
      ['secretsmanager.amazonaws.com', 'EndSecretDeletion', 'AwsServiceEvent', created.ARN, 'AWSService', '2030-08-30T00:00:00Z'],
      ['kms.amazonaws.com', 'DeleteKey', 'AwsServiceEvent', doomed.arn, 'AWSService', '2030-08-30T00:00:00Z'],
      ['kms.amazonaws.com', 'RotateKey', 'AwsServiceEvent', rotating.arn, 'AWSService', '2030-08-30T00:00:00Z'],
      ['secretsmanager.amazonaws.com', 'ReplicationSucceeded', 'AwsServiceEvent', replicated.ARN, 'AWSService', '2030-08-30T00:00:00Z'],
    ]);
    assert.deepEqual(records.at(-1).requestParameters, { replicaRegion: 'eu-west-1' });
    assert.equal((await storage.secrets.findByArn(replicated.ARN))?.replicas?.[0]?.status, 'InSync');
  } finally {
    await audit.close();
    await storage.close();
  }
});
