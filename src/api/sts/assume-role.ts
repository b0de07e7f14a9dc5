import type { OperationHandler } from '../operation.js';
import { iamScope } from '../iam/iam-shapes.js';
import type { StsApiDeps } from './sts-deps.js';
import { credentialsShape, stsCaller } from './sts-caller.js';

/** AssumeRole: temporary credentials of a role whose trust policy lets the caller in. */
export function assumeRole({ directory }: StsApiDeps): OperationHandler {
  return async (ctx, input) => {
    const session = await directory.sessions.assumeRole(iamScope(ctx), stsCaller(ctx), {
      roleArn: input.RoleArn as string,
      sessionName: input.RoleSessionName as string,
      durationSeconds: input.DurationSeconds as number | undefined,
      policy: input.Policy as string | undefined,
      policyArns: (input.PolicyArns as { arn?: string }[] | undefined)?.flatMap((p) => (p.arn ? [p.arn] : [])),
      externalId: input.ExternalId as string | undefined,
    });
    return {
      Credentials: credentialsShape(session.credentials, session.expiresAt),
      AssumedRoleUser: { AssumedRoleId: session.assumedRoleId, Arn: session.arn },
      ...(session.packedSize === undefined ? {} : { PackedPolicySize: session.packedSize }),
    };
  };
}
