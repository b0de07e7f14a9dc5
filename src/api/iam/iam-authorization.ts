import type { IamEntityKind, Tag } from '../../storage/index.js';
import { iamArn } from '../../iam/directory/iam-ids.js';
import type { RequestContext, RequestTarget } from '../operation.js';
import type { IamApiDeps } from './iam-deps.js';
import { iamScope, KIND_TITLE } from './iam-shapes.js';
import { withRequestTags } from '../request-tags.js';
import { IAM_ACTION_RESOURCES } from './iam-action-resources.js';

/** Operations on a user that act on the caller's own user when UserName is omitted. */
const SELF_OPERATIONS = new Set(['GetUser', 'CreateAccessKey', 'ListAccessKeys', 'UpdateAccessKey', 'DeleteAccessKey']);

/**
 * What each IAM request is authorized against: the resource of the action's type
 * (IAM_ACTION_RESOURCES) with its path when it exists; attaching names the policy
 * in iam:PolicyARN. An operation missing from the table is authorized on `*`, never
 * on whichever entity name its request happens to carry.
 */
export function iamAuthorization({ directory }: IamApiDeps) {
  const entityArn = async (ctx: RequestContext, kind: IamEntityKind, name: string, path: unknown): Promise<string> => {
    const existing = await directory.entities.get(iamScope(ctx), kind, name).catch(() => undefined);
    return existing?.arn ?? iamArn(ctx.scope, kind, typeof path === 'string' ? path : '/', name);
  };

  const resourceOf = async (ctx: RequestContext, operation: string, input: Record<string, unknown>): Promise<string> => {
    const type = IAM_ACTION_RESOURCES[operation] ?? 'none';
    if (type === 'none') return '*';
    if (type === 'policy') {
      if (operation === 'CreatePolicy') return iamArn(ctx.scope, 'policy', (input.Path as string | undefined) ?? '/', input.PolicyName as string);
      return input.PolicyArn as string;
    }
    const name = input[`${KIND_TITLE[type]}Name`];
    if (typeof name === 'string') return entityArn(ctx, type, name, input.Path);
    if (type === 'user' && SELF_OPERATIONS.has(operation) && ctx.principalArn?.includes(':user/')) return ctx.principalArn;
    return '*';
  };

  return async (ctx: RequestContext, operation: string, input: Record<string, unknown>): Promise<RequestTarget[]> => {
    const policyArn = input.PolicyArn as string | undefined;
    const tags = withRequestTags(policyArn === undefined ? {} : { 'iam:PolicyARN': policyArn }, input.Tags as Tag[] | undefined, input.TagKeys);
    return [{ resource: await resourceOf(ctx, operation, input), ...tags }];
  };
}
