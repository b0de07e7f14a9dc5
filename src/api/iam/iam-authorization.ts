import type { IamEntityKind, Tag } from '../../storage/index.js';
import { iamArn } from '../../iam/directory/iam-ids.js';
import type { RequestContext, RequestTarget } from '../operation.js';
import type { IamApiDeps } from './iam-deps.js';
import { iamScope, KIND_TITLE, KINDS } from './iam-shapes.js';
import { withRequestTags } from '../request-tags.js';

/** Operations on a user that act on the caller's own user when UserName is omitted. */
const SELF_OPERATIONS = new Set(['GetUser', 'CreateAccessKey', 'ListAccessKeys', 'UpdateAccessKey', 'DeleteAccessKey']);

/**
 * What each IAM request is authorized against, as IAM's own resources: the user,
 * group or role it names (with its path, when it exists), else the managed policy;
 * attaching names the policy in iam:PolicyARN. Operations on no entity are on `*`.
 */
export function iamAuthorization({ directory }: IamApiDeps) {
  const entityArn = async (ctx: RequestContext, kind: IamEntityKind, name: string, path: unknown): Promise<string> => {
    const existing = await directory.entities.get(iamScope(ctx), kind, name).catch(() => undefined);
    return existing?.arn ?? iamArn(ctx.scope, kind, typeof path === 'string' ? path : '/', name);
  };

  return async (ctx: RequestContext, operation: string, input: Record<string, unknown>): Promise<RequestTarget[]> => {
    const policyArn = input.PolicyArn as string | undefined;
    const tags = withRequestTags(policyArn === undefined ? {} : { 'iam:PolicyARN': policyArn }, input.Tags as Tag[] | undefined, input.TagKeys);
    for (const kind of KINDS) {
      const name = input[`${KIND_TITLE[kind]}Name`];
      if (typeof name === 'string') return [{ resource: await entityArn(ctx, kind, name, input.Path), ...tags }];
    }
    if (SELF_OPERATIONS.has(operation) && ctx.principalArn?.includes(':user/')) return [{ resource: ctx.principalArn, ...tags }];
    if (operation === 'CreatePolicy') return [{ resource: iamArn(ctx.scope, 'policy', (input.Path as string | undefined) ?? '/', input.PolicyName as string), ...tags }];
    return [{ resource: policyArn ?? '*', ...tags }];
  };
}
