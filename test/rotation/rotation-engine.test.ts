// RotateSecret, CancelRotateSecret, the runner and the scheduler over a real
// in-memory Coffer (storage, keys, the Secrets Manager handlers), with an
// injected clock. The rotation function here is a complete one written like
// AWS's templates for a plain API key: it uses only the Secrets Manager calls.
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { secretsManagerService } from '../../src/api/secretsmanager/secrets-manager-service.js';
import type { SecretsApiDeps } from '../../src/api/secretsmanager/secrets-manager-deps.js';
import { ServiceError } from '../../src/errors/service-error.js';
import { KeyService } from '../../src/keys/key-service.js';
import { RootKey } from '../../src/keys/root-key.js';
import type { RotationEvent, SecretsPort } from '../../src/rotation/rotation-function.js';
import { RotationRunner } from '../../src/rotation/rotation-runner.js';
import { RotationScheduler } from '../../src/rotation/rotation-scheduler.js';
import { RotationService, type RotateSecretInput } from '../../src/rotation/rotation-service.js';
import { pendingCopier } from '../../src/rotation/secrets-port.js';
import { inProcessSecretsPort } from './in-process-secrets-port.js';
import type { RequestScope } from '../../src/shared/request-scope.js';
import { SecretReader } from '../../src/secrets/secret-reader.js';
import { SecretService } from '../../src/secrets/secret-service.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';

const T0 = Date.UTC(2030, 2, 10, 12, 0, 0);
const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:api-key`;

let now: number;
let storage: SqliteStorage;
let deps: SecretsApiDeps;
let runner: RotationRunner;
let rotation: RotationService;
/** Steps the function saw, and steps to fail on purpose. */
let seen: RotationEvent[];
let failAt: string | undefined;
/** Service events the runner recorded. */
let recorded: string[];
const logs: string[] = [];
const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(line) });
const scope = (): RequestScope => ({ account: ACCOUNT, region: REGION, partition: 'aws', now });

/** A rotation function for a random API key, following AWS's template steps. */
async function apiKeyRotator(secrets: SecretsPort, event: RotationEvent): Promise<void> {
  seen.push(event);
  if (failAt === event.Step) throw new Error(`the target refused the key at ${event.Step}`);
  const { Step, SecretId, ClientRequestToken: token } = event;
  const metadata = await secrets.describeSecret(SecretId);
  if (!metadata.RotationEnabled) throw new Error('rotation is not enabled');
  const stages = metadata.VersionIdsToStages[token];
  if (!stages?.includes('AWSPENDING')) throw new Error('the version is not pending');
  if (stages.includes('AWSCURRENT')) return;
  if (Step === 'createSecret') {
    try {
      await secrets.getSecretValue({ SecretId, VersionId: token, VersionStage: 'AWSPENDING' });
    } catch (error) {
      if (!(error instanceof ServiceError) || error.code !== 'ResourceNotFoundException') throw error;
      const key = await secrets.getRandomPassword({ PasswordLength: 40, ExcludePunctuation: true });
      await secrets.putSecretValue({ SecretId, ClientRequestToken: token, SecretString: key, VersionStages: ['AWSPENDING'], RotationToken: event.RotationToken });
    }
  } else if (Step === 'finishSecret') {
    const current = Object.entries(metadata.VersionIdsToStages).find(([, s]) => s.includes('AWSCURRENT'))![0];
    await secrets.updateSecretVersionStage({ SecretId, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: current });
  }
}

beforeEach(async () => {
  now = T0;
  seen = [];
  failAt = undefined;
  recorded = [];
  logs.length = 0;
  storage = SqliteStorage.open(':memory:');
  const keys = new KeyService(storage, new RootKey(randomBytes(32)));
  const secrets = new SecretService(storage, keys);
  deps = { secrets, reader: new SecretReader(storage, secrets.cipher) } as SecretsApiDeps;
  const api = secretsManagerService(deps);
  runner = new RotationRunner(
    storage,
    async (fn, _arn, s) => {
      const port = inProcessSecretsPort(api, { ...s, principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/coffer-rotation/${fn.name}` }, () => now);
      return { invoke: (event) => apiKeyRotator(port, event) };
    },
    logger,
    () => now,
    pendingCopier(async (s) => ({ port: inProcessSecretsPort(api, { ...s, principalArn: `arn:aws:iam::${ACCOUNT}:root` }, () => now), release: async () => {} })),
    async (event) => void recorded.push(`${event.eventName}${event.error ? ` (${event.error.message})` : ''}`),
  );
  rotation = new RotationService(storage, runner, () => 0.5);
  deps.rotation = rotation;
  await storage.transaction((tx) =>
    tx.rotationFunctions.insert({ account: ACCOUNT, region: REGION, name: 'api-key', arn: FUNCTION_ARN, kind: 'command', command: 'x', timeoutSeconds: 30, createdAt: T0, updatedAt: T0 }),
  );
  await deps.secrets.create(scope(), { Name: 'api', SecretString: 'first-key', ClientRequestToken: 'v1-'.padEnd(32, '0') });
});
afterEach(async () => {
  await runner.idle();
  await storage.close();
});

const describe = () => deps.reader.describe(scope(), 'api');
/** RotateSecret as the SDKs send it: with a ClientRequestToken they make up. */
const rotate = (input: Omit<RotateSecretInput, 'ClientRequestToken'>) => rotation.rotate(scope(), { ClientRequestToken: randomUUID(), ...input });
const current = async () => (await deps.reader.getValue(scope(), { SecretId: 'api' })).SecretString;
const code = (expected: string, message?: RegExp) => (e: unknown) =>
  e instanceof ServiceError && e.code === expected && (!message || message.test(e.message));

test('RotateSecret runs the four steps in order after answering; AWSCURRENT moves, AWSPREVIOUS keeps the old key', async () => {
  const answer = await rotate({ SecretId: 'api', RotationLambdaARN: FUNCTION_ARN, RotationRules: { AutomaticallyAfterDays: 30 } });
  assert.ok(answer.VersionId);
  await runner.idle();
  assert.deepEqual(seen.map((e) => e.Step), ['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
  assert.deepEqual(recorded, ['RotationStarted', 'RotationStep', 'RotationStep', 'RotationStep', 'RotationStep', 'RotationSucceeded'], 'each action is recorded');
  for (const event of seen) {
    assert.equal(event.SecretId, answer.ARN);
    assert.equal(event.ClientRequestToken, answer.VersionId);
    assert.match(event.RotationToken, /^[a-zA-Z0-9-]{36,256}$/);
  }
  const rotated = await current();
  assert.notEqual(rotated, 'first-key');
  assert.equal((await deps.reader.getValue(scope(), { SecretId: 'api', VersionStage: 'AWSPREVIOUS' })).SecretString, 'first-key');
  const { secret, stages } = await describe();
  assert.equal(stages.get('AWSCURRENT'), answer.VersionId);
  assert.equal(stages.get('AWSPENDING'), undefined, 'AWSPENDING is cleared after success');
  assert.equal(secret.rotation?.enabled, true);
  assert.equal(secret.rotation?.lastRotatedAt, T0);
  // AutomaticallyAfterDays 30: the window is the whole day 30 days on; NextRotationDate is its last second.
  assert.equal(secret.rotation?.nextRotationDate, Date.UTC(2030, 3, 9, 23, 59, 59));
  assert.ok(secret.rotation!.nextRotationAt! >= Date.UTC(2030, 3, 9) && secret.rotation!.nextRotationAt! < Date.UTC(2030, 3, 10));
});

test('RotateSecret refuses what AWS refuses: no function, an unknown function, bad rules, a rotation in progress', async () => {
  // A raw caller's request without a token is refused before the secret is looked up, as AWS does.
  for (const secretId of ['api', 'no-such-secret']) {
    await assert.rejects(
      rotation.rotate(scope(), { SecretId: secretId, RotationLambdaARN: FUNCTION_ARN }),
      code('InvalidParameterException', /^You must provide a ClientRequestToken value\. We recommend a UUID-type value\.$/),
    );
  }
  await assert.rejects(rotate({ SecretId: 'api' }), code('InvalidRequestException', /No Lambda rotation function ARN/));
  await assert.rejects(
    rotate({ SecretId: 'api', RotationLambdaARN: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:missing` }),
    code('AccessDeniedException', /cannot invoke the specified Lambda function/),
  );
  await assert.rejects(
    rotate({ SecretId: 'api', RotationLambdaARN: FUNCTION_ARN, RotationRules: { ScheduleExpression: 'cron(5 * * * ? *)' } }),
    code('InvalidParameterException'),
  );
  await assert.rejects(
    rotate({ SecretId: 'api', RotationLambdaARN: FUNCTION_ARN, RotationRules: { AutomaticallyAfterDays: 3, ScheduleExpression: 'rate(3 days)' } }),
    code('InvalidParameterException', /both rotation frequency and schedule expression/),
  );
  assert.equal((await describe()).secret.rotation, undefined, 'a refused call stores nothing');

  failAt = 'setSecret';
  const failed = await rotate({ SecretId: 'api', RotationLambdaARN: FUNCTION_ARN });
  await runner.idle();
  assert.ok(logs.some((l) => l.includes('rotation failed at setSecret') && l.includes('the target refused the key')), 'the failure is logged with its step and reason');
  assert.equal(await current(), 'first-key', 'a failed rotation leaves AWSCURRENT alone');
  assert.equal(recorded.at(-1), 'RotationFailed (the target refused the key at setSecret)');
  const stages = (await describe()).stages;
  assert.equal(stages.get('AWSPENDING'), failed.VersionId);
  assert.notEqual(stages.get('AWSCURRENT'), failed.VersionId);
  await assert.rejects(rotate({ SecretId: 'api' }), code('InvalidRequestException', /previous rotation isn't complete/));

  const cancelled = await rotation.cancel(scope(), 'api');
  assert.equal(cancelled.VersionId, failed.VersionId, 'CancelRotateSecret names the unfinished version');
  const { secret } = await describe();
  assert.equal(secret.rotation?.enabled, false);
  assert.equal(secret.rotation?.lambdaArn, FUNCTION_ARN, 'the configuration stays visible');
  await assert.rejects(rotation.cancel(scope(), 'api'), code('InvalidRequestException'));
});

test('RotateImmediately=false stores the schedule and only tests the function (testSecret on a copy it then removes)', async () => {
  const answer = await rotate({ SecretId: 'api', RotationLambdaARN: FUNCTION_ARN, RotationRules: { ScheduleExpression: 'rate(10 days)' }, RotateImmediately: false });
  await runner.idle();
  assert.equal(answer.VersionId, undefined);
  assert.deepEqual(seen.map((e) => e.Step), ['testSecret']);
  assert.equal(await current(), 'first-key', 'nothing rotated');
  assert.equal((await describe()).stages.get('AWSPENDING'), undefined, 'the test version lost its AWSPENDING label');
  assert.ok(logs.some((l) => l.includes('rotation function test succeeded')));
  assert.equal((await describe()).secret.rotation?.nextRotationDate, Date.UTC(2030, 2, 20, 23, 59, 59));
});

test('RotateImmediately=false: a function failing its test is recorded as RotationFailed at testSecret, and nothing is left staged', async () => {
  failAt = 'testSecret';
  await rotate({ SecretId: 'api', RotationLambdaARN: FUNCTION_ARN, RotationRules: { ScheduleExpression: 'rate(10 days)' }, RotateImmediately: false });
  await runner.idle();
  assert.equal(recorded.at(-1), 'RotationFailed (the target refused the key at testSecret)');
  assert.ok(logs.some((l) => l.includes('rotation function test failed at testSecret')));
  assert.equal((await describe()).stages.get('AWSPENDING'), undefined, 'the test version lost its AWSPENDING label');
  assert.equal(await current(), 'first-key');
});

test('the scheduler starts due rotations from the index, once', async () => {
  await rotate({ SecretId: 'api', RotationLambdaARN: FUNCTION_ARN, RotationRules: { ScheduleExpression: 'rate(1 day)' }, RotateImmediately: false });
  await runner.idle();
  seen = []; // the configuration test's testSecret
  const scopeOf = (account: string, region: string, at: number) => ({ account, region, partition: 'aws', now: at });
  const scheduler = new RotationScheduler(storage, rotation, scopeOf, logger, () => now);
  try {
    // rate(1 day) from 2030-03-10 12:00: the window is 2030-03-11, and the random pick (0.5) is its noon.
    now = Date.UTC(2030, 2, 11, 11, 59, 59);
    await scheduler.tick();
    await runner.idle();
    assert.equal(seen.length, 0, 'nothing is due yet');

    now = Date.UTC(2030, 2, 11, 12, 0, 1);
    await scheduler.tick();
    await runner.idle();
    assert.equal(seen.filter((e) => e.Step === 'finishSecret').length, 1);
    assert.notEqual(await current(), 'first-key');

    await scheduler.tick();
    await runner.idle();
    assert.equal(seen.filter((e) => e.Step === 'finishSecret').length, 1, 'started once: the next rotation is scheduled from now');
    const { secret } = await describe();
    assert.ok(secret.rotation!.nextRotationAt! > now);
  } finally {
    await scheduler.stop();
  }
});
