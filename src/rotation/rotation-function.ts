/**
 * The contract between the rotation engine and rotation functions: the
 * four Lambda-style steps and their event, the Secrets Manager calls a
 * rotator makes, and the kinds of function Coffer runs.
 */

export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
export const ROTATION_STEPS: readonly RotationStep[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

/** Exactly the event AWS Secrets Manager sends a rotation Lambda. */
export interface RotationEvent {
  Step: RotationStep;
  /** The secret's ARN. */
  SecretId: string;
  /** The version the rotation creates (labelled AWSPENDING). */
  ClientRequestToken: string;
  RotationToken: string;
}

export const ROTATION_FUNCTION_KINDS = [
  'postgresql-single-user',
  'postgresql-alternating-users',
  'mysql-single-user',
  'mysql-alternating-users',
  'redis-single-user',
  'webhook',
  'command',
] as const;
export type RotationFunctionKind = (typeof ROTATION_FUNCTION_KINDS)[number];

/**
 * The Secrets Manager operations a rotator uses (as AWS's rotation templates do
 * through boto3), which built-in rotators call through the server's own endpoint.
 * Failures reject with the ServiceError the API answered (ResourceNotFoundException, ...).
 */
export interface SecretsPort {
  describeSecret(secretId: string): Promise<{ ARN: string; Name: string; RotationEnabled?: boolean; VersionIdsToStages: Record<string, string[]> }>;
  getSecretValue(input: { SecretId: string; VersionId?: string; VersionStage?: string }): Promise<{
    ARN: string;
    VersionId: string;
    SecretString?: string;
    VersionStages: string[];
  }>;
  putSecretValue(input: { SecretId: string; ClientRequestToken: string; SecretString: string; VersionStages: string[]; RotationToken?: string }): Promise<void>;
  updateSecretVersionStage(input: { SecretId: string; VersionStage: string; MoveToVersionId?: string; RemoveFromVersionId?: string }): Promise<void>;
  getRandomPassword(input: { PasswordLength?: number; ExcludeCharacters?: string; ExcludePunctuation?: boolean }): Promise<string>;
}

/** Runs one step of one rotation; rejects when the step failed (the message says why). */
export type StepInvoker = (event: RotationEvent) => Promise<void>;
