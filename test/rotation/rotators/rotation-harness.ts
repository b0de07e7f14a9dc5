/**
 * A real in-process Secrets Manager (in-memory SQLite, keys, the API handlers) for driving
 * built-in rotators, with the rotation state set up as the engine leaves it before the
 * first step: rotation enabled and a value-less AWSPENDING version named by the token.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import type { SecretsApiDeps } from '../../../src/api/secretsmanager/secrets-manager-deps.js';
import { secretsManagerService } from '../../../src/api/secretsmanager/secrets-manager-service.js';
import { KeyService } from '../../../src/keys/key-service.js';
import { RootKey } from '../../../src/keys/root-key.js';
import { ROTATION_STEPS, type RotationStep, type SecretsPort, type StepInvoker } from '../../../src/rotation/rotation-function.js';
import { inProcessSecretsPort } from '../in-process-secrets-port.js';
import { CONNECTION_UNSAFE_CHARACTERS } from '../../../src/secrets/random-password.js';
import { SecretReader } from '../../../src/secrets/secret-reader.js';
import { SecretService } from '../../../src/secrets/secret-service.js';
import { AWSPENDING } from '../../../src/secrets/staging-labels.js';
import { SqliteStorage } from '../../../src/storage/sqlite/sqlite-storage.js';
export { requireServer } from '../require-server.js';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

export interface Rotation {
  arn: string;
  token: string;
  rotationToken: string;
}

export class SecretsManagerHarness {
  readonly port: SecretsPort;

  private constructor(
    readonly storage: SqliteStorage,
    private readonly secrets: SecretService,
    reader: SecretReader,
  ) {
    // Only the value and staging handlers are called here, never the rotation ones.
    const api = secretsManagerService({ secrets, reader } as SecretsApiDeps);
    this.port = inProcessSecretsPort(api, {
      account: ACCOUNT,
      region: REGION,
      partition: 'aws',
      principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/coffer-rotation/built-in`,
    });
  }

  static open(): SecretsManagerHarness {
    const storage = SqliteStorage.open(':memory:');
    const secrets = new SecretService(storage, new KeyService(storage, new RootKey(randomBytes(32))));
    return new SecretsManagerHarness(storage, secrets, new SecretReader(storage, secrets.cipher));
  }

  async close(): Promise<void> {
    await this.storage.close();
  }

  /** Creates a secret holding `value` as JSON; returns its ARN. */
  async createSecret(name: string, value: object): Promise<string> {
    const scope = { account: ACCOUNT, region: REGION, partition: 'aws', now: Date.now() };
    const created = await this.secrets.create(scope, { Name: name, SecretString: JSON.stringify(value), ClientRequestToken: randomUUID() });
    return created.ARN;
  }

  /**
   * What RotateSecret leaves before invoking createSecret: rotation enabled, an empty AWSPENDING
   * version. `rotation` sets up the refusals instead: rotation cancelled, or never configured.
   */
  async startRotation(arn: string, rotation: 'enabled' | 'disabled' | 'unconfigured' = 'enabled'): Promise<Rotation> {
    const token = randomUUID();
    await this.storage.transaction(async (tx) => {
      const secret = (await tx.secrets.findByArn(arn))!;
      if (rotation !== 'unconfigured') {
        secret.rotation = { ...secret.rotation, enabled: rotation === 'enabled', rules: { AutomaticallyAfterDays: 30 } };
        await tx.secrets.update(secret);
      }
      await tx.secrets.insertVersion({ secretId: secret.id, versionId: token, createdAt: Date.now() });
      const stages = new Map<string, string>();
      for (const version of await tx.secrets.versions(secret.id)) for (const label of version.stages) stages.set(label, version.versionId);
      stages.set(AWSPENDING, token);
      await tx.secrets.setStages(secret.id, stages);
    });
    return { arn, token, rotationToken: randomUUID() };
  }

  /**
   * A whole rotation with `invoke`: afterwards AWSCURRENT is the new version
   * and the old one AWSPREVIOUS (both asserted). Returns the new and old values.
   */
  async rotate(arn: string, invoke: StepInvoker): Promise<{ rotation: Rotation; current: Record<string, unknown>; previous: Record<string, unknown> }> {
    const previousVersion = versionWith(await this.stages(arn), 'AWSCURRENT')!;
    const rotation = await this.startRotation(arn);
    await runSteps(invoke, rotation);
    const stages = await this.stages(arn);
    assert.equal(versionWith(stages, 'AWSCURRENT'), rotation.token);
    assert.deepEqual(stages[previousVersion], ['AWSPREVIOUS']);
    return { rotation, current: await this.value(arn, 'AWSCURRENT'), previous: await this.value(arn, 'AWSPREVIOUS') };
  }

  async stages(arn: string): Promise<Record<string, string[]>> {
    return (await this.port.describeSecret(arn)).VersionIdsToStages;
  }

  /** The JSON a version holds: by label, or by version id. */
  async value(arn: string, stage: string, versionId?: string): Promise<Record<string, unknown>> {
    const value = await this.port.getSecretValue({ SecretId: arn, VersionStage: stage, VersionId: versionId });
    return JSON.parse(value.SecretString!) as Record<string, unknown>;
  }
}

/** Invokes the steps in order, as the engine does. */
export async function runSteps(invoke: StepInvoker, rotation: Rotation, steps: readonly RotationStep[] = ROTATION_STEPS): Promise<void> {
  for (const Step of steps) {
    await invoke({ Step, SecretId: rotation.arn, ClientRequestToken: rotation.token, RotationToken: rotation.rotationToken });
  }
}

/** The version that holds `label`. */
export function versionWith(stages: Record<string, string[]>, label: string): string | undefined {
  return Object.keys(stages).find((versionId) => stages[versionId]!.includes(label));
}

/** Asserts a step's error says `pattern` and quotes none of `passwords`. */
export async function assertFailsClearly(step: Promise<void>, pattern: RegExp, passwords: string[]): Promise<Error> {
  const error = await step.then(
    () => assert.fail('the step was expected to fail'),
    (e: unknown) => e as Error,
  );
  assert.match(error.message, pattern);
  for (const password of passwords) assert.ok(!error.message.includes(password), `the error quotes a password: ${error.message}`);
  return error;
}

/** A short random suffix for role and user names, so that runs never collide. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

/** A password the rotators generate: 32 characters, none that break a connection string. */
export function assertGenerated(password: unknown): asserts password is string {
  assert.equal(typeof password, 'string');
  assert.equal((password as string).length, 32);
  for (const c of CONNECTION_UNSAFE_CHARACTERS) assert.ok(!(password as string).includes(c), `no ${JSON.stringify(c)} in the password`);
}

/** A Secrets Manager for one test, closed after it. */
export function harness(t: TestContext): SecretsManagerHarness {
  const sm = SecretsManagerHarness.open();
  t.after(() => sm.close());
  return sm;
}
