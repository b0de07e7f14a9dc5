import type { IamEntityKind } from '../../storage/index.js';
import { iamArn } from '../../iam/directory/iam-ids.js';
import type { AnyRequest, Authorization, RequestContext } from '../operation.js';
import type { IamApiDeps } from './iam-deps.js';
import { iamScope, NAME_MEMBER } from './iam-requests.js';
import { withRequestTags } from '../request-tags.js';
import { IAM_ACTION_RESOURCES } from './iam-action-resources.js';
import type { Operations } from './types.generated.js';

/** An IAM request, of whichever operation. */
type IamRequest = AnyRequest<Operations>;

/** Operations on a user that act on the caller's own user when UserName is omitted. */
const SELF_OPERATIONS = new Set(['GetUser', 'CreateAccessKey', 'ListAccessKeys', 'UpdateAccessKey', 'DeleteAccessKey']);

/**
 * What each IAM request is authorized against: the resource of the action's type
 * (IAM_ACTION_RESOURCES) with its path when it exists; attaching names the policy
 * in iam:PolicyARN. An operation missing from the table is authorized on `*`, never
 * on whichever entity name its request happens to carry.
 */
export function iamAuthorization({ directory }: IamApiDeps): Authorization<IamRequest, keyof Operations> {
  const entityArn = async (ctx: RequestContext, kind: IamEntityKind, name: string, path: string | undefined): Promise<string> => {
    const existing = await directory.entities.get(iamScope(ctx), kind, name).catch(() => undefined);
    return existing?.arn ?? iamArn(ctx.scope, kind, path ?? '/', name);
  };

  const resourceOf = async (ctx: RequestContext, operation: string, input: IamRequest): Promise<string> => {
    const type = IAM_ACTION_RESOURCES[operation] ?? 'none';
    if (type === 'none') return '*';
    if (type === 'policy') {
      // CreatePolicy names the policy it makes; the other policy operations require its ARN.
      if (operation === 'CreatePolicy') return iamArn(ctx.scope, 'policy', input.Path ?? '/', input.PolicyName!);
      return input.PolicyArn!;
    }
    const name = input[NAME_MEMBER[type]];
    if (name !== undefined) return entityArn(ctx, type, name, input.Path);
    if (type === 'user' && SELF_OPERATIONS.has(operation) && ctx.principalArn?.includes(':user/')) return ctx.principalArn;
    return '*';
  };

  return async (ctx, operation, input) => {
    const policyArn = input.PolicyArn;
    const tags = withRequestTags(policyArn === undefined ? {} : { 'iam:PolicyARN': policyArn }, input.Tags, input.TagKeys);
    return [{ resource: await resourceOf(ctx, operation, input), ...tags }];
  };
}
