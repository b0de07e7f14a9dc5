import { emptyResponse, type OperationHandler } from '../operation.js';
import { parseCallerArn, rootArn } from '../../iam/directory/iam-ids.js';
import { IamErrors } from '../../iam/directory/iam-errors.js';
import type { Tag } from '../../storage/index.js';
import type { IamApiDeps } from './iam-deps.js';
import { entityShape, iamScope, listQuery, paging, seconds } from './iam-shapes.js';

/** CreateUser, GetUser, ListUsers, DeleteUser, TagUser, UntagUser, ListUserTags. */
export function userOperations({ directory }: IamApiDeps): Record<string, OperationHandler> {
  const { entities } = directory;
  return {
    CreateUser: async (ctx, input) => ({
      User: entityShape(
        await entities.create(iamScope(ctx), 'user', { name: input.UserName as string, path: input.Path as string | undefined, tags: input.Tags as Tag[] | undefined }),
      ),
    }),
    GetUser: async (ctx, input) => {
      const scope = iamScope(ctx);
      if (input.UserName !== undefined) return { User: entityShape(await entities.get(scope, 'user', input.UserName as string)) };
      // No name: the caller. The root user is described by the account itself.
      const caller = ctx.principalArn === undefined ? undefined : parseCallerArn(ctx.principalArn);
      if (caller?.type === 'root') {
        const since = await directory.accessKeys.createdAt(ctx.accessKeyId);
        return { User: { UserId: scope.account, Arn: rootArn(scope), CreateDate: seconds(since ?? scope.now) } };
      }
      if (caller?.type === 'user') {
        const user = await directory.entities.byArn(ctx.principalArn!);
        if (user) return { User: entityShape(user) };
      }
      throw IamErrors.validation('Must specify userName when calling with non-User credentials');
    },
    ListUsers: async (ctx, input) => {
      const page = await entities.list(iamScope(ctx), 'user', listQuery(input));
      return { Users: page.items.map((u) => entityShape(u, { tags: false })), ...paging(page) };
    },
    DeleteUser: emptyResponse((ctx, input) => entities.delete(iamScope(ctx), 'user', input.UserName as string)),
    ...tagOperations({ directory }, 'user', 'User'),
  };
}

/** Tag<Kind>, Untag<Kind>, List<Kind>Tags for users and roles. */
export function tagOperations({ directory }: IamApiDeps, kind: 'user' | 'role', title: 'User' | 'Role'): Record<string, OperationHandler> {
  const { entities } = directory;
  const nameOf = (input: Record<string, unknown>) => input[`${title}Name`] as string;
  return {
    [`Tag${title}`]: emptyResponse((ctx, input) => entities.tag(iamScope(ctx), kind, nameOf(input), input.Tags as Tag[])),
    [`Untag${title}`]: emptyResponse((ctx, input) => entities.untag(iamScope(ctx), kind, nameOf(input), input.TagKeys as string[])),
    [`List${title}Tags`]: async (ctx, input) => {
      const page = await entities.tags(iamScope(ctx), kind, nameOf(input), listQuery(input));
      return { Tags: page.items, ...paging(page) };
    },
  };
}
