/**
 * The four steps as AWS's rotation templates run them, the same for every engine:
 * each invocation checks the version's staging first, then createSecret stores a new
 * password in the AWSPENDING placeholder, setSecret (the scheme's) puts it into the
 * server, testSecret logs in with it and finishSecret makes it AWSCURRENT.
 */
import { CONNECTION_UNSAFE_CHARACTERS } from '../../secrets/random-password.js';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from '../../secrets/staging-labels.js';
import type { RotationEvent, SecretsPort, StepInvoker } from '../rotation-function.js';
import { login, reason, withSession, type DatabaseEngine } from './database-engine.js';
import { parseDatabaseSecret, type DatabaseSecret } from './database-secret.js';
import { PasswordRedactor } from './password-redactor.js';

/** What differs between single-user and alternating-users rotation. */
export interface RotationScheme {
  readonly engine: DatabaseEngine;
  /** The username the new version carries. */
  pendingUsername(current: DatabaseSecret): string;
  /** Puts the pending credential into the server. */
  setSecret(step: StepContext): Promise<void>;
}

/** The secret versions one step reads; every password read is kept out of the step's error. */
export interface StepContext {
  readonly arn: string;
  readonly token: string;
  current(): Promise<DatabaseSecret>;
  /** The version this rotation creates (VersionId = token); rejects with ResourceNotFoundException while it has no value. */
  pending(): Promise<DatabaseSecret>;
  /** AWSPREVIOUS, or undefined when there is none or it is not a usable database secret (as the templates treat it). */
  previous(): Promise<DatabaseSecret | undefined>;
  /** AWSCURRENT of another secret: the superuser's, named by `masterarn`. */
  other(secretId: string): Promise<DatabaseSecret>;
}

export function rotationSteps(secrets: SecretsPort, scheme: RotationScheme): StepInvoker {
  return async (event) => {
    const redactor = new PasswordRedactor();
    try {
      await runStep(secrets, scheme, event, redactor);
    } catch (error) {
      throw redactor.scrub(error);
    }
  };
}

async function runStep(secrets: SecretsPort, scheme: RotationScheme, event: RotationEvent, redactor: PasswordRedactor): Promise<void> {
  const { SecretId: arn, ClientRequestToken: token } = event;
  const metadata = await secrets.describeSecret(arn);
  // DescribeSecret reports RotationEnabled once rotation was configured, which it is for any secret the engine rotates.
  if (metadata.RotationEnabled !== true) throw new Error(`Secret ${arn} is not enabled for rotation.`);
  const stages = metadata.VersionIdsToStages ?? {};
  if (!Object.hasOwn(stages, token)) throw new Error(`Secret version ${token} has no stage for rotation of secret ${arn}.`);
  // Already finished: a repeated invocation changes nothing.
  if (stages[token]!.includes(AWSCURRENT)) return;
  if (!stages[token]!.includes(AWSPENDING)) throw new Error(`Secret version ${token} not set as AWSPENDING for rotation of secret ${arn}.`);

  const step = stepContext(secrets, scheme.engine, arn, token, redactor);
  switch (event.Step) {
    case 'createSecret':
      return createSecret(secrets, scheme, step, event.RotationToken, redactor);
    case 'setSecret':
      return scheme.setSecret(step);
    case 'testSecret':
      return testSecret(scheme.engine, step);
    case 'finishSecret':
      return finishSecret(secrets, step, stages);
    default:
      throw new Error(`Invalid step parameter ${String(event.Step)} for secret ${arn}.`);
  }
}

/** Generates the new credential unless the pending version already holds one (a repeated createSecret). */
async function createSecret(
  secrets: SecretsPort,
  scheme: RotationScheme,
  step: StepContext,
  rotationToken: string,
  redactor: PasswordRedactor,
): Promise<void> {
  const current = await step.current();
  try {
    await step.pending();
    return;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  // The templates' exclusions ('/@"\'\\') and more: the password must survive URIs, shells and SQL quoting.
  const password = await secrets.getRandomPassword({ ExcludeCharacters: CONNECTION_UNSAFE_CHARACTERS });
  redactor.hide(password);
  await secrets.putSecretValue({
    SecretId: step.arn,
    ClientRequestToken: step.token,
    SecretString: JSON.stringify({ ...current.fields, username: scheme.pendingUsername(current), password }),
    VersionStages: [AWSPENDING],
    RotationToken: rotationToken,
  });
}

async function testSecret(engine: DatabaseEngine, step: StepContext): Promise<void> {
  const pending = await step.pending();
  const session = await login(engine, pending).catch((error: unknown) => {
    throw new Error(`Unable to log into the database with the pending secret of secret ${step.arn}: ${reason(error)}`);
  });
  await withSession(session, (s) => s.ping());
}

async function finishSecret(secrets: SecretsPort, step: StepContext, stages: Record<string, string[]>): Promise<void> {
  const current = Object.keys(stages).find((versionId) => stages[versionId]!.includes(AWSCURRENT));
  await secrets.updateSecretVersionStage({
    SecretId: step.arn,
    VersionStage: AWSCURRENT,
    MoveToVersionId: step.token,
    RemoveFromVersionId: current,
  });
}

function stepContext(secrets: SecretsPort, engine: DatabaseEngine, arn: string, token: string, redactor: PasswordRedactor): StepContext {
  const parse = (text: string | undefined, secretId: string, stage: string): DatabaseSecret => {
    const secret = parseDatabaseSecret(text, `Secret ${secretId} (${stage})`, engine.family);
    redactor.hide(secret.password);
    return secret;
  };
  const read = async (secretId: string, stage: string, versionId?: string): Promise<DatabaseSecret> =>
    parse((await secrets.getSecretValue({ SecretId: secretId, VersionStage: stage, VersionId: versionId })).SecretString, secretId, stage);
  return {
    arn,
    token,
    current: () => read(arn, AWSCURRENT),
    pending: () => read(arn, AWSPENDING, token),
    previous: async () => {
      const value = await secrets.getSecretValue({ SecretId: arn, VersionStage: AWSPREVIOUS }).catch((error: unknown) => {
        if (isNotFound(error)) return undefined;
        throw error;
      });
      if (!value) return undefined;
      try {
        return parse(value.SecretString, arn, AWSPREVIOUS);
      } catch {
        return undefined;
      }
    },
    other: (secretId) => read(secretId, AWSCURRENT),
  };
}

function isNotFound(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ResourceNotFoundException';
}
