import type { AccessKeyStore, SessionCredentials } from '../iam/access-key-store.js';
import type { StsSessions } from '../iam/directory/sts-sessions.js';
import type { RequestScope } from '../shared/request-scope.js';
import type { RotationFunctionRecord } from '../storage/index.js';

/** The service principal an execution role's trust policy must allow, as for a Lambda function's role. */
export const ROTATION_SERVICE_PRINCIPAL = 'lambda.amazonaws.com';

/** Credentials for one rotation, and how to end them when it is over. */
export interface RotationSession {
  credentials: SessionCredentials;
  release(): Promise<void>;
}

/** Issues the credentials a function acts with for one rotation of one secret, until `expiresAt` at the latest. */
export type RotationSessionIssuer = (fn: Pick<RotationFunctionRecord, 'name' | 'roleArn'>, secretArn: string, scope: RequestScope, expiresAt: number) => Promise<RotationSession>;

/** The Secrets Manager calls a rotation makes on the secret it rotates, as AWS's rotation templates' policy lists them. */
const ROTATION_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
  'secretsmanager:ListSecretVersionIds',
];

/**
 * The session policy of a function without a role: the rotation calls on the rotated
 * secret's full ARN alone (a namesake in another region has another ARN), random
 * passwords, and its data keys through Secrets Manager.
 */
export function secretOnlyPolicy(secretArn: string, region: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ROTATION_ACTIONS, Resource: secretArn },
      { Effect: 'Allow', Action: 'secretsmanager:GetRandomPassword', Resource: '*' },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com`, 'kms:EncryptionContext:SecretARN': secretArn } },
      },
    ],
  });
}

/**
 * A function with an execution role acts as a session of that role (named after the
 * function, as Lambda names it), which the role's trust policy must let
 * lambda.amazonaws.com assume; the role's policies decide what it may do. Without a
 * role it acts as the account, capped by a session policy for the rotated secret alone.
 * Either way the credentials are deleted when the rotation ends.
 */
export function rotationSessions(deps: { accessKeys: AccessKeyStore; sts: StsSessions }): RotationSessionIssuer {
  return async (fn, secretArn, scope, expiresAt) => {
        const credentials = fn.roleArn
      ? await deps.sts.serviceRoleSession(scope, { roleArn: fn.roleArn, service: ROTATION_SERVICE_PRINCIPAL, sessionName: fn.name, expiresAt })
      : await deps.accessKeys.createSession(`arn:${scope.partition}:iam::${scope.account}:root`, { expiresAt, policy: secretOnlyPolicy(secretArn, scope.region) }, scope.now);
    return { credentials, release: () => deps.accessKeys.revoke(credentials.accessKeyId) };
  };
}
