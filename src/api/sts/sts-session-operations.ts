import type { Handlers, RequestContext } from '../operation.js';
import type { StsCaller } from '../../iam/directory/sts-sessions.js';
import type { SessionCredentials } from '../../iam/access-key-store.js';
import { seconds } from '../epoch-seconds.js';
import { iamScope } from '../iam/iam-requests.js';
import type { StsApiDeps } from './sts-deps.js';
import type { Credentials, Operations } from './types.generated.js';

/**
 * GetCallerIdentity: the account root (account id), an IAM user (AIDA...) or a role session (AROA...:session);
 * GetSessionToken: temporary credentials for the caller itself;
 * AssumeRole: temporary credentials of a role whose trust policy lets the caller in.
 */
export function sessionOperations({ directory }: StsApiDeps): Handlers<Operations> {
  return {
    GetCallerIdentity: async (ctx) => {
      const { userId, arn } = await directory.sessions.identity(iamScope(ctx), stsCaller(ctx));
      return { UserId: userId, Account: ctx.scope.account, Arn: arn };
    },
    GetSessionToken: async (ctx, input) => {
      const { credentials, expiresAt } = await directory.sessions.sessionToken(iamScope(ctx), stsCaller(ctx), input.DurationSeconds);
      return { Credentials: credentialsOf(credentials, expiresAt) };
    },
    AssumeRole: async (ctx, input) => {
      const session = await directory.sessions.assumeRole(iamScope(ctx), stsCaller(ctx), {
        roleArn: input.RoleArn,
        sessionName: input.RoleSessionName,
        durationSeconds: input.DurationSeconds,
        policy: input.Policy,
        policyArns: input.PolicyArns?.flatMap((p) => (p.arn ? [p.arn] : [])),
        externalId: input.ExternalId,
      });
      return {
        Credentials: credentialsOf(session.credentials, session.expiresAt),
        AssumedRoleUser: { AssumedRoleId: session.assumedRoleId, Arn: session.arn },
        ...(session.packedSize === undefined ? {} : { PackedPolicySize: session.packedSize }),
      };
    },
  };
}

function stsCaller(ctx: RequestContext): StsCaller {
  return {
    principalArn: ctx.principalArn,
    accessKeyId: ctx.accessKeyId,
    ...(ctx.sessionIssuerArn ? { sessionIssuerArn: ctx.sessionIssuerArn } : {}),
    ...(ctx.sessionPolicy ? { sessionPolicy: ctx.sessionPolicy } : {}),
  };
}

function credentialsOf(credentials: SessionCredentials, expiresAt: number): Credentials {
  return {
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    SessionToken: credentials.sessionToken,
    Expiration: seconds(expiresAt),
  };
}
