import type { OperationHandler } from '../operation.js';
import { iamScope } from '../iam/iam-shapes.js';
import type { StsApiDeps } from './sts-deps.js';
import { stsCaller } from './sts-caller.js';

/** GetCallerIdentity: the account root (account id), an IAM user (AIDA...) or a role session (AROA...:session). */
export function getCallerIdentity({ directory }: StsApiDeps): OperationHandler {
  return async (ctx) => {
    const { userId, arn } = await directory.sessions.identity(iamScope(ctx), stsCaller(ctx));
    return { UserId: userId, Account: ctx.scope.account, Arn: arn };
  };
}
