import { emptyResponse, type OperationHandler } from '../operation.js';
import type { IamApiDeps } from './iam-deps.js';
import { entityShape, iamScope, listQuery, paging } from './iam-shapes.js';

/** CreateGroup, GetGroup, ListGroups, DeleteGroup, AddUserToGroup, RemoveUserFromGroup, ListGroupsForUser. */
export function groupOperations({ directory }: IamApiDeps): Record<string, OperationHandler> {
  const { entities, groups } = directory;
  return {
    CreateGroup: async (ctx, input) => ({
      Group: entityShape(await entities.create(iamScope(ctx), 'group', { name: input.GroupName as string, path: input.Path as string | undefined })),
    }),
    GetGroup: async (ctx, input) => {
      const { group, users } = await groups.withUsers(iamScope(ctx), input.GroupName as string, listQuery(input));
      return { Group: entityShape(group), Users: users.items.map((u) => entityShape(u, { tags: false })), ...paging(users) };
    },
    ListGroups: async (ctx, input) => {
      const page = await entities.list(iamScope(ctx), 'group', listQuery(input));
      return { Groups: page.items.map((g) => entityShape(g)), ...paging(page) };
    },
    DeleteGroup: emptyResponse((ctx, input) => entities.delete(iamScope(ctx), 'group', input.GroupName as string)),
    AddUserToGroup: emptyResponse((ctx, input) => groups.addUser(iamScope(ctx), input.GroupName as string, input.UserName as string)),
    RemoveUserFromGroup: emptyResponse((ctx, input) => groups.removeUser(iamScope(ctx), input.GroupName as string, input.UserName as string)),
    ListGroupsForUser: async (ctx, input) => {
      const page = await groups.ofUser(iamScope(ctx), input.UserName as string, listQuery(input));
      return { Groups: page.items.map((g) => entityShape(g)), ...paging(page) };
    },
  };
}
