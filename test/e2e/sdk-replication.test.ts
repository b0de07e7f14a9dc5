// Replication to other regions with @aws-sdk/client-secrets-manager against a live server: a
// region is the namespace a request's signature names. CreateSecret with AddReplicaRegions,
// ReplicateSecretToRegions, RemoveRegionsFromReplication, StopReplicationToReplica; every change
// to a primary (a rotation's too) reaching its replicas; read-only replicas; a replica whose key
// is disabled or missing reported Failed and recovering by itself once the key is back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DeleteResourcePolicyCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  ListSecretsCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  RemoveRegionsFromReplicationCommand,
  ReplicateSecretToRegionsCommand,
  RestoreSecretCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  StopReplicationToReplicaCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
  type DescribeSecretCommandOutput,
  type ReplicationStatusType,
} from '@aws-sdk/client-secrets-manager';
import { CreateAliasCommand, CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { PROJECT_ROOT, clientConfig, startServer, type TestServer } from '../support/coffer-server.js';
import { requireTool } from '../support/child-process.js';
import { NOT_FOUND, rejectsWith, todayUtc, token, uniqueName } from '../support/sdk-errors.js';
import { createRotationFunction, rotationEnded } from '../rotation/rotation-e2e.js';
import { iamQuery } from '../support/iam-query.js';

const PRIMARY = 'us-east-1';
const EU = 'eu-west-1';
const AP = 'ap-south-1';
const ON_REPLICA = "Operation not permitted on a replica secret. Call must be made in primary secret's region.";
const INVALID_REGION = 'Invalid replica region.';
const NAME_EXISTS = 'Secret with this name already exists in this region';
const SUCCEEDED = 'Replication succeeded';
const DEFAULT_KEY = 'alias/aws/secretsmanager';
const DENY_DELETE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'secretsmanager:DeleteSecret', Resource: '*' }],
});

let server: TestServer;
const sm: Record<string, SecretsManagerClient> = {};
const kms: Record<string, KMSClient> = {};

before(async () => {
  // Failed replicas are retried at every sweep.
  server = await startServer({ args: ['--sweep-interval', '1'] });
  for (const region of [PRIMARY, EU, AP]) {
    sm[region] = new SecretsManagerClient(clientConfig(server, region));
    kms[region] = new KMSClient(clientConfig(server, region));
  }
});
after(async () => {
  for (const client of [...Object.values(sm), ...Object.values(kms)]) client.destroy();
  assert.equal(await server.stop(), 0, server.stderr());
});

const inRegion = (arn: string, region: string) => arn.replace(`:${PRIMARY}:`, `:${region}:`);
const describe = (region: string, SecretId: string) => sm[region]!.send(new DescribeSecretCommand({ SecretId }));
const valueIn = async (region: string, SecretId: string, VersionStage?: string) =>
  (await sm[region]!.send(new GetSecretValueCommand({ SecretId, VersionStage }))).SecretString;
const newKey = async (region: string) => (await kms[region]!.send(new CreateKeyCommand({}))).KeyMetadata!;

/** Region → [Status, StatusMessage, KmsKeyId] of a ReplicationStatus list. */
function states(list: ReplicationStatusType[] | undefined): Record<string, [string?, string?, string?]> {
  return Object.fromEntries((list ?? []).map((r) => [r.Region!, [r.Status, r.StatusMessage, r.KmsKeyId]]));
}

/** Waits until the primary's replica in `region` reports `status`; returns the primary's description then. */
async function untilReplica(arn: string, region: string, status: string): Promise<DescribeSecretCommandOutput> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const described = await describe(PRIMARY, arn);
    if (described.ReplicationStatus?.find((r) => r.Region === region)?.Status === status) return described;
    if (Date.now() > deadline) assert.fail(`the replica in ${region} is not ${status}: ${JSON.stringify(described.ReplicationStatus)}`);
    await sleep(200);
  }
}

test('CreateSecret with AddReplicaRegions: each replica has the name, the value and the versions, its own ARN and key', async () => {
  const name = uniqueName('replicated/create');
  const apKey = await newKey(AP);
  const tok = token();
  const created = await sm[PRIMARY]!.send(
    new CreateSecretCommand({ Name: name, SecretString: 'v1', ClientRequestToken: tok, AddReplicaRegions: [{ Region: EU }, { Region: AP, KmsKeyId: apKey.KeyId }] }),
  );
  assert.deepEqual(states(created.ReplicationStatus), { [EU]: ['InSync', SUCCEEDED, DEFAULT_KEY], [AP]: ['InSync', SUCCEEDED, apKey.KeyId] });
  assert.equal(created.VersionId, tok);

  for (const region of [EU, AP]) {
    const replica = await describe(region, name);
    assert.equal(replica.ARN, inRegion(created.ARN!, region), 'the ARN differs in its region only');
    assert.equal(replica.Name, name);
    assert.equal(replica.PrimaryRegion, PRIMARY);
    assert.equal(replica.ReplicationStatus, undefined);
    assert.deepEqual(replica.VersionIdsToStages, { [tok]: ['AWSCURRENT'] });
    assert.equal(await valueIn(region, name), 'v1');
    assert.equal(await valueIn(region, replica.ARN!), 'v1');
  }
  assert.equal((await describe(EU, name)).KmsKeyId, undefined, 'the default key is left out');
  assert.equal((await describe(AP, name)).KmsKeyId, apKey.KeyId);
  const apVersions = await sm[AP]!.send(new ListSecretVersionIdsCommand({ SecretId: name }));
  assert.deepEqual(apVersions.Versions!.map((v) => v.KmsKeyIds), [[apKey.KeyId]]);

  const primary = await describe(PRIMARY, name);
  assert.equal(primary.PrimaryRegion, PRIMARY);
  assert.deepEqual(states(primary.ReplicationStatus), states(created.ReplicationStatus));
});

test('every change to the primary reaches its replicas: values, labels, description, tags, resource policy', async () => {
  const name = uniqueName('replicated/changes');
  const { ARN: arn, VersionId: v1 } = await sm[PRIMARY]!.send(
    new CreateSecretCommand({ Name: name, SecretString: 'v1', Tags: [{ Key: 'team', Value: 'core' }], AddReplicaRegions: [{ Region: EU }] }),
  );
  const v2 = token();
  await sm[PRIMARY]!.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: v2 }));
  await sm[PRIMARY]!.send(new PutSecretValueCommand({ SecretId: name, SecretBinary: Buffer.from([0, 1, 2]), VersionStages: ['custom'] }));
  await sm[PRIMARY]!.send(new UpdateSecretCommand({ SecretId: name, Description: 'now described' }));
  await sm[PRIMARY]!.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'env', Value: 'prod' }] }));
  await sm[PRIMARY]!.send(new UntagResourceCommand({ SecretId: name, TagKeys: ['team'] }));
  await sm[PRIMARY]!.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: DENY_DELETE }));
  await sm[PRIMARY]!.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: v1, RemoveFromVersionId: v2 }));

  const [primary, replica] = [await describe(PRIMARY, name), await describe(EU, name)];
  assert.deepEqual(replica.VersionIdsToStages, primary.VersionIdsToStages);
  assert.equal(replica.Description, 'now described');
  assert.deepEqual(replica.Tags, [{ Key: 'env', Value: 'prod' }]);
  assert.equal((await sm[EU]!.send(new GetResourcePolicyCommand({ SecretId: name }))).ResourcePolicy, DENY_DELETE);
  assert.equal(await valueIn(EU, name), 'v1', 'AWSCURRENT moved back to the first version, there too');
  assert.equal(await valueIn(EU, name, 'AWSPREVIOUS'), 'v2');
  const binary = await sm[EU]!.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'custom' }));
  assert.deepEqual([...binary.SecretBinary!], [0, 1, 2]);
  const ids = async (region: string) => (await sm[region]!.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }))).Versions!.map((v) => [v.VersionId, v.VersionStages]).sort();
  assert.deepEqual(await ids(EU), await ids(PRIMARY));

  await sm[PRIMARY]!.send(new DeleteResourcePolicyCommand({ SecretId: name }));
  assert.equal((await sm[EU]!.send(new GetResourcePolicyCommand({ SecretId: inRegion(arn!, EU) }))).ResourcePolicy, undefined);
});

test('a rotation of the primary reaches the replica: the new value, the labels and the rotation configuration', async (t) => {
  if (!(await requireTool(t, 'boto3', 'python3', ['-c', 'import boto3']))) return;
  const example = join(PROJECT_ROOT, 'examples/rotation');
  const functionArn = await createRotationFunction(server, 'replicated-rotator', `python3 ${example}/run-lambda.py ${example}/lambda_function.py`);
  const name = uniqueName('replicated/rotated');
  await sm[PRIMARY]!.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ api_key: 'original' }), AddReplicaRegions: [{ Region: EU }] }));
  const started = await sm[PRIMARY]!.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: functionArn, RotationRules: { AutomaticallyAfterDays: 30 } }));
  assert.equal(await rotationEnded(server, sm[PRIMARY]!, name, started.VersionId!), 'succeeded');

  const rotated = JSON.parse((await valueIn(EU, name))!);
  assert.notEqual(rotated.api_key, 'original');
  assert.deepEqual(rotated, JSON.parse((await valueIn(PRIMARY, name))!));
  assert.equal(JSON.parse((await valueIn(EU, name, 'AWSPREVIOUS'))!).api_key, 'original');
  const [primary, replica] = [await describe(PRIMARY, name), await describe(EU, name)];
  assert.deepEqual(replica.VersionIdsToStages, primary.VersionIdsToStages);
  assert.equal(replica.VersionIdsToStages![started.VersionId!]?.includes('AWSCURRENT'), true);
  assert.equal(replica.RotationEnabled, true);
  assert.equal(replica.RotationLambdaARN, functionArn);
  assert.deepEqual(replica.LastRotatedDate, primary.LastRotatedDate);
  assert.deepEqual(states(primary.ReplicationStatus), { [EU]: ['InSync', SUCCEEDED, DEFAULT_KEY] });
});

test('a replica is read-only: every change but its key is refused with AWS\'s error, and nothing changes', async () => {
  const name = uniqueName('replicated/read-only');
  const { ARN: arn } = await sm[PRIMARY]!.send(new CreateSecretCommand({ Name: name, SecretString: 'v1', AddReplicaRegions: [{ Region: EU }] }));
  const eu = sm[EU]!;
  const replicaArn = inRegion(arn!, EU);
  const before = await describe(EU, name);
  const refused: [string, () => Promise<unknown>][] = [
    ['PutSecretValue', () => eu.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'x' }))],
    ['UpdateSecret value', () => eu.send(new UpdateSecretCommand({ SecretId: name, SecretString: 'x' }))],
    ['UpdateSecret description', () => eu.send(new UpdateSecretCommand({ SecretId: replicaArn, Description: 'x' }))],
    ['UpdateSecretVersionStage', () => eu.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'custom', MoveToVersionId: Object.keys(before.VersionIdsToStages!)[0] }))],
    ['TagResource', () => eu.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'k', Value: 'v' }] }))],
    ['UntagResource', () => eu.send(new UntagResourceCommand({ SecretId: name, TagKeys: ['k'] }))],
    ['PutResourcePolicy', () => eu.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: DENY_DELETE }))],
    ['DeleteResourcePolicy', () => eu.send(new DeleteResourcePolicyCommand({ SecretId: name }))],
    ['DeleteSecret', () => eu.send(new DeleteSecretCommand({ SecretId: name }))],
    ['DeleteSecret forced', () => eu.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }))],
    ['RestoreSecret', () => eu.send(new RestoreSecretCommand({ SecretId: name }))],
    ['RotateSecret', () => eu.send(new RotateSecretCommand({ SecretId: name }))],
    ['CancelRotateSecret', () => eu.send(new CancelRotateSecretCommand({ SecretId: name }))],
    ['ReplicateSecretToRegions', () => eu.send(new ReplicateSecretToRegionsCommand({ SecretId: name, AddReplicaRegions: [{ Region: AP }] }))],
    ['RemoveRegionsFromReplication', () => eu.send(new RemoveRegionsFromReplicationCommand({ SecretId: name, RemoveReplicaRegions: [PRIMARY] }))],
  ];
  for (const [what, call] of refused) {
    const error = await rejectsWith(call(), 'InvalidParameterException').catch((e: Error) => assert.fail(`${what}: ${e.message}`));
    assert.equal(error.message, ON_REPLICA, what);
  }
  const after = await describe(EU, name);
  assert.deepEqual({ ...after, $metadata: undefined }, { ...before, $metadata: undefined });
  assert.equal(await valueIn(EU, name), 'v1');
});

test("a replica's key is its own: UpdateSecret with only KmsKeyId in its region moves it there, and the primary shows it", async () => {
  const name = uniqueName('replicated/own-key');
  const { ARN: arn } = await sm[PRIMARY]!.send(new CreateSecretCommand({ Name: name, SecretString: 'v1', AddReplicaRegions: [{ Region: EU }] }));
  const euKey = await newKey(EU);
  await sm[EU]!.send(new UpdateSecretCommand({ SecretId: name, KmsKeyId: euKey.Arn }));
  assert.equal((await describe(EU, name)).KmsKeyId, euKey.Arn);
  assert.deepEqual(states((await describe(PRIMARY, arn!)).ReplicationStatus), { [EU]: ['InSync', SUCCEEDED, euKey.Arn] });
  const versions = await sm[EU]!.send(new ListSecretVersionIdsCommand({ SecretId: name }));
  assert.ok(versions.Versions![0]!.KmsKeyIds!.includes(euKey.Arn!), JSON.stringify(versions.Versions));
  // Sealed under the new key from then on; the old wrapping stays, as for any key change.
  await sm[PRIMARY]!.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2' }));
  await kms[EU]!.send(new DisableKeyCommand({ KeyId: euKey.KeyId }));
  await rejectsWith(sm[EU]!.send(new GetSecretValueCommand({ SecretId: name })), 'DecryptionFailure');
  await kms[EU]!.send(new EnableKeyCommand({ KeyId: euKey.KeyId }));
  assert.equal(await valueIn(EU, name), 'v2');
});

test('errors as AWS gives them: the primary\'s own region, a region named twice or already replicated, deleting a primary with replicas', async () => {
  const name = uniqueName('replicated/errors');
  // Refused before anything is made: no half-made secret.
  await rejectsWith(sm[PRIMARY]!.send(new CreateSecretCommand({ Name: name, SecretString: 'v', AddReplicaRegions: [{ Region: PRIMARY }] })), 'InvalidParameterException', INVALID_REGION);
  await rejectsWith(describe(PRIMARY, name), 'ResourceNotFoundException', NOT_FOUND);
  const { ARN: arn } = await sm[PRIMARY]!.send(new CreateSecretCommand({ Name: name, SecretString: 'v', AddReplicaRegions: [{ Region: EU }] }));
  const replicate = (AddReplicaRegions: { Region: string; KmsKeyId?: string }[], ForceOverwriteReplicaSecret?: boolean) =>
    sm[PRIMARY]!.send(new ReplicateSecretToRegionsCommand({ SecretId: name, AddReplicaRegions, ForceOverwriteReplicaSecret }));
  await rejectsWith(replicate([{ Region: PRIMARY }]), 'InvalidParameterException', INVALID_REGION);
  await rejectsWith(replicate([{ Region: AP }, { Region: AP }]), 'InvalidParameterException', INVALID_REGION);
  await rejectsWith(replicate([{ Region: EU }]), 'InvalidParameterException', `Secret ${arn} is already replicated to region ${EU}. Use ForceOverwriteReplicaSecret to replicate it again.`);
  const added = await replicate([{ Region: AP }]);
  assert.equal(added.ARN, arn);
  assert.deepEqual(states(added.ReplicationStatus), { [EU]: ['InSync', SUCCEEDED, DEFAULT_KEY], [AP]: ['InSync', SUCCEEDED, DEFAULT_KEY] });
  // Forced, a region already replicated to takes a new key.
  const euKey = await newKey(EU);
  assert.deepEqual(states((await replicate([{ Region: EU, KmsKeyId: euKey.KeyId }], true)).ReplicationStatus)[EU], ['InSync', SUCCEEDED, euKey.KeyId]);
  assert.equal((await describe(EU, name)).KmsKeyId, euKey.KeyId);

  const stillReplicated = `You can't delete secret ${arn} that still has replica regions [${EU}, ${AP}].`;
  await rejectsWith(sm[PRIMARY]!.send(new DeleteSecretCommand({ SecretId: name })), 'InvalidParameterException', stillReplicated);
  await rejectsWith(sm[PRIMARY]!.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true })), 'InvalidParameterException', stillReplicated);
  await rejectsWith(sm[PRIMARY]!.send(new StopReplicationToReplicaCommand({ SecretId: name })), 'InvalidParameterException', `Secret ${arn} is not a replica secret.`);
  assert.equal(await valueIn(PRIMARY, name), 'v');
});

test('a secret of the same name in the replica region: Failed with AWS\'s message unless ForceOverwriteReplicaSecret', async () => {
  const name = uniqueName('replicated/clash');
  const theirs = await sm[EU]!.send(new CreateSecretCommand({ Name: name, SecretString: 'theirs' }));
  const { ARN: arn } = await sm[PRIMARY]!.send(new CreateSecretCommand({ Name: name, SecretString: 'ours' }));
  const failed = await sm[PRIMARY]!.send(new ReplicateSecretToRegionsCommand({ SecretId: name, AddReplicaRegions: [{ Region: EU }] }));
  assert.deepEqual(states(failed.ReplicationStatus), { [EU]: ['Failed', NAME_EXISTS, DEFAULT_KEY] });
  assert.equal(await valueIn(EU, name), 'theirs', 'the other secret is left alone');
  assert.equal((await describe(EU, name)).PrimaryRegion, undefined);
  await rejectsWith(sm[PRIMARY]!.send(new DeleteSecretCommand({ SecretId: name })), 'InvalidParameterException', `You can't delete secret ${arn} that still has replica regions [${EU}].`);

  const forced = await sm[PRIMARY]!.send(new ReplicateSecretToRegionsCommand({ SecretId: name, AddReplicaRegions: [{ Region: EU }], ForceOverwriteReplicaSecret: true }));
  assert.deepEqual(states(forced.ReplicationStatus), { [EU]: ['InSync', SUCCEEDED, DEFAULT_KEY] });
  assert.equal(await valueIn(EU, name), 'ours');
  await rejectsWith(sm[EU]!.send(new GetSecretValueCommand({ SecretId: theirs.ARN })), 'ResourceNotFoundException', NOT_FOUND);
});

test('a replica whose key is disabled or missing is Failed while the others stay in sync, and recovers when the key is back', async () => {
  const name = uniqueName('replicated/key-trouble');
  const apKey = await newKey(AP);
  const alias = `alias/${uniqueName('replica').replace('/', '-')}`;
  const { ARN: arn } = await sm[PRIMARY]!.send(new CreateSecretCommand({ Name: name, SecretString: 'v1', AddReplicaRegions: [{ Region: EU, KmsKeyId: alias }, { Region: AP, KmsKeyId: apKey.KeyId }] }));
  // The alias does not exist yet in eu-west-1.
  const created = await describe(PRIMARY, arn!);
  const [euStatus, euMessage] = states(created.ReplicationStatus)[EU]!;
  assert.equal(euStatus, 'Failed');
  assert.equal(euMessage, `Secrets Manager can't encrypt the protected secret text using the provided KMS key. Alias arn:aws:kms:${EU}:000000000000:${alias} is not found.`);
  assert.equal(states(created.ReplicationStatus)[AP]![0], 'InSync');
  await rejectsWith(describe(EU, name), 'ResourceNotFoundException', NOT_FOUND);

  await kms[AP]!.send(new DisableKeyCommand({ KeyId: apKey.KeyId }));
  await sm[PRIMARY]!.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2' }));
  const disabled = await describe(PRIMARY, arn!);
  assert.deepEqual(states(disabled.ReplicationStatus)[AP], [
    'Failed',
    `Secrets Manager can't encrypt the protected secret text using the provided KMS key. ${apKey.Arn} is disabled.`,
    apKey.KeyId,
  ]);
  assert.equal(await valueIn(PRIMARY, name), 'v2', 'the primary changed all the same');

  // The key comes back: the next background sweep brings the replica up to date.
  await kms[AP]!.send(new EnableKeyCommand({ KeyId: apKey.KeyId }));
  await untilReplica(arn!, AP, 'InSync');
  assert.equal(await valueIn(AP, name), 'v2');
  await kms[EU]!.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: (await newKey(EU)).KeyId }));
  const recovered = await untilReplica(arn!, EU, 'InSync');
  assert.deepEqual(states(recovered.ReplicationStatus), { [EU]: ['InSync', SUCCEEDED, alias], [AP]: ['InSync', SUCCEEDED, apKey.KeyId] });
  assert.equal(await valueIn(EU, name), 'v2');
});

test('ListSecrets shows PrimaryRegion on both sides and filters on it; DescribeSecret gives each replica\'s read date', async () => {
  const name = uniqueName('replicated/listed');
  const plain = uniqueName('replicated/plain');
  await sm[PRIMARY]!.send(new CreateSecretCommand({ Name: plain, SecretString: 'x' }));
  await sm[PRIMARY]!.send(new CreateSecretCommand({ Name: name, SecretString: 'x', AddReplicaRegions: [{ Region: EU }, { Region: AP }] }));
  await valueIn(EU, name);
  const byName = async (region: string, extra: { Key: 'primary-region'; Values: string[] }[] = []) =>
    (await sm[region]!.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['replicated/'] }, ...extra] }))).SecretList!.filter((s) => [name, plain].includes(s.Name!));

  const listed = await byName(PRIMARY);
  assert.equal(listed.find((s) => s.Name === name)!.PrimaryRegion, PRIMARY);
  assert.equal(listed.find((s) => s.Name === plain)!.PrimaryRegion, undefined);
  const described = await describe(PRIMARY, name);
  const read = Object.fromEntries(described.ReplicationStatus!.map((r) => [r.Region, r.LastAccessedDate?.getTime()]));
  assert.deepEqual(read, { [EU]: todayUtc().getTime(), [AP]: undefined }, 'each region its own read date');
  assert.equal(described.LastAccessedDate, undefined, 'a read of a replica is not a read of the primary');

  assert.deepEqual((await byName(PRIMARY, [{ Key: 'primary-region', Values: [PRIMARY] }])).map((s) => s.Name), [name]);
  assert.deepEqual((await byName(PRIMARY, [{ Key: 'primary-region', Values: [EU] }])).map((s) => s.Name), []);
  const inEu = await byName(EU, [{ Key: 'primary-region', Values: [PRIMARY] }]);
  assert.deepEqual(inEu.map((s) => [s.Name, s.PrimaryRegion]), [[name, PRIMARY]]);
});

test('RemoveRegionsFromReplication deletes those replicas at once; then the primary can be deleted', async () => {
  const name = uniqueName('replicated/removed');
  const { ARN: arn } = await sm[PRIMARY]!.send(new CreateSecretCommand({ Name: name, SecretString: 'x', AddReplicaRegions: [{ Region: EU }, { Region: AP }] }));
  const removed = await sm[PRIMARY]!.send(new RemoveRegionsFromReplicationCommand({ SecretId: name, RemoveReplicaRegions: [EU, 'sa-east-1'] }));
  assert.equal(removed.ARN, arn);
  assert.deepEqual(Object.keys(states(removed.ReplicationStatus)), [AP]);
  await rejectsWith(describe(EU, name), 'ResourceNotFoundException', NOT_FOUND);
  // The name is free in that region again.
  await sm[EU]!.send(new CreateSecretCommand({ Name: name, SecretString: 'mine now' }));

  const last = await sm[PRIMARY]!.send(new RemoveRegionsFromReplicationCommand({ SecretId: name, RemoveReplicaRegions: [AP] }));
  assert.deepEqual(last.ReplicationStatus, []);
  const alone = await describe(PRIMARY, name);
  assert.equal(alone.PrimaryRegion, undefined);
  assert.equal(alone.ReplicationStatus, undefined);
  await sm[PRIMARY]!.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
  assert.equal(await valueIn(EU, name), 'mine now');
});

test('StopReplicationToReplica, in the replica\'s region, makes it a secret of its own there', async () => {
  const name = uniqueName('replicated/promoted');
  const { ARN: arn } = await sm[PRIMARY]!.send(new CreateSecretCommand({ Name: name, SecretString: 'v1', AddReplicaRegions: [{ Region: EU }, { Region: AP }] }));
  const stopped = await sm[EU]!.send(new StopReplicationToReplicaCommand({ SecretId: name }));
  assert.equal(stopped.ARN, inRegion(arn!, EU));
  assert.deepEqual(Object.keys(states((await describe(PRIMARY, name)).ReplicationStatus)), [AP]);

  const promoted = await describe(EU, name);
  assert.equal(promoted.PrimaryRegion, undefined);
  await sm[PRIMARY]!.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2' }));
  assert.equal(await valueIn(EU, name), 'v1', 'no longer follows the primary');
  assert.equal(await valueIn(AP, name), 'v2', 'the other replica still does');
  await sm[EU]!.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'its own' }));
  assert.equal(await valueIn(EU, name), 'its own');
  await sm[EU]!.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
  await rejectsWith(sm[EU]!.send(new StopReplicationToReplicaCommand({ SecretId: name })), 'ResourceNotFoundException', NOT_FOUND);
});

test('permissions as AWS documents them: ReplicateSecretToRegions, also for CreateSecret with replicas, and the replica keys through Secrets Manager', async () => {
  const user = await iamQuery(server).userWith('replicator', [{ Effect: 'Allow', Action: ['secretsmanager:CreateSecret', 'secretsmanager:GetSecretValue'], Resource: '*' }]);
  const asUser = (region: string) => new SecretsManagerClient({ ...clientConfig(server, region), credentials: user.credentials });
  const creator = asUser(PRIMARY);
  try {
    const name = uniqueName('replicated/permissions');
    const refused = await rejectsWith(creator.send(new CreateSecretCommand({ Name: name, SecretString: 'x', AddReplicaRegions: [{ Region: EU }] })), 'AccessDeniedException');
    assert.match(refused.message, /is not authorized to perform: secretsmanager:ReplicateSecretToRegions/);
    await rejectsWith(describe(PRIMARY, name), 'ResourceNotFoundException', NOT_FOUND);
    await creator.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    await rejectsWith(creator.send(new ReplicateSecretToRegionsCommand({ SecretId: name, AddReplicaRegions: [{ Region: EU }] })), 'AccessDeniedException');
  } finally {
    creator.destroy();
  }

  const replicator = await iamQuery(server).userWith('replicator', [{ Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*' }]);
  const client = new SecretsManagerClient({ ...clientConfig(server, PRIMARY), credentials: replicator.credentials });
  try {
    const name = uniqueName('replicated/permissions');
    await client.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    // A customer managed key in the replica region: its (default) policy leaves it to IAM, which grants this user no KMS use.
    const euKey = await newKey(EU);
    await rejectsWith(client.send(new ReplicateSecretToRegionsCommand({ SecretId: name, AddReplicaRegions: [{ Region: EU, KmsKeyId: euKey.Arn }] })), 'AccessDeniedException', 'Access to KMS is not allowed');
    assert.equal((await describe(PRIMARY, name)).ReplicationStatus, undefined, 'nothing replicated');
    // The AWS managed key lets every caller of the account use it through Secrets Manager.
    const replicated = await client.send(new ReplicateSecretToRegionsCommand({ SecretId: name, AddReplicaRegions: [{ Region: EU }] }));
    assert.deepEqual(states(replicated.ReplicationStatus), { [EU]: ['InSync', SUCCEEDED, DEFAULT_KEY] });
  } finally {
    client.destroy();
  }
});
