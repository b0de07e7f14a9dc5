import { emptyResponse, type Handlers, type RequestContext } from '../operation.js';
import { parseCallerArn, rootArn } from '../../iam/directory/iam-ids.js';
import { IamErrors } from '../../iam/directory/iam-errors.js';
import type { Tag } from '../../storage/index.js';
import { seconds } from '../epoch-seconds.js';
import type { IamApiDeps } from './iam-deps.js';
import { iamScope, USERS, type EntityNaming } from './iam-requests.js';
import { iamUser, paging } from './iam-responses.js';
import type { Operations, User } from './types.generated.js';

/** CreateUser, GetUser, ListUsers, DeleteUser, TagUser, UntagUser, ListUserTags. */
export function userOperations({ directory }: IamApiDeps): Handlers<Operations> {
  const { entities } = directory;
  const tags = tagHandlers({ directory }, USERS);
  return {
    CreateUser: async (ctx, input) => ({
      User: iamUser(await entities.create(iamScope(ctx), 'user', { name: input.UserName, path: input.Path, tags: input.Tags })),
    }),
    GetUser: async (ctx, input) => {
      const scope = iamScope(ctx);
      if (input.UserName !== undefined) return { User: iamUser(await entities.get(scope, 'user', input.UserName)) };
      // No name: the caller. The root user is described by the account itself.
      const caller = ctx.principalArn === undefined ? undefined : parseCallerArn(ctx.principalArn);
      if (caller?.type === 'root') {
        const since = await directory.accessKeys.createdAt(ctx.accessKeyId);
        // AWS describes the root user without the Path and UserName the model requires of a User.
        return { User: { UserId: scope.account, Arn: rootArn(scope), CreateDate: seconds(since ?? scope.now) } as User };
      }
      if (caller?.type === 'user') {
        const user = await directory.entities.byArn(ctx.principalArn!);
        if (user) return { User: iamUser(user) };
      }
      throw IamErrors.validation('Must specify userName when calling with non-User credentials');
    },
    ListUsers: async (ctx, input) => {
      const page = await entities.list(iamScope(ctx), 'user', input);
      return { Users: page.items.map((u) => iamUser(u, { tags: false })), ...paging(page) };
    },
    DeleteUser: emptyResponse((ctx, input) => entities.delete(iamScope(ctx), 'user', input.UserName)),
    TagUser: tags.tag,
    UntagUser: tags.untag,
    ListUserTags: tags.list,
  };
}

/** Tag<Kind>, Untag<Kind>, List<Kind>Tags for users and roles. */
export function tagHandlers<Named>({ directory }: IamApiDeps, { kind, nameOf }: EntityNaming<Named>) {
  const { entities } = directory;
  const tag = emptyResponse((ctx: RequestContext, input: Named & { Tags: Tag[] }) => entities.tag(iamScope(ctx), kind, nameOf(input), input.Tags));
  const untag = emptyResponse((ctx: RequestContext, input: Named & { TagKeys: string[] }) =>
    entities.untag(iamScope(ctx), kind, nameOf(input), input.TagKeys),
  );
  const list = async (ctx: RequestContext, input: Named & { Marker?: string; MaxItems?: number }) => {
    const page = await entities.tags(iamScope(ctx), kind, nameOf(input), input);
    return { Tags: page.items, ...paging(page) };
  };
  return { tag, untag, list };
}
