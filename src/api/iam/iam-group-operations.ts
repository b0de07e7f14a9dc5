import { emptyResponse, type Handlers } from '../operation.js';
import type { IamApiDeps } from './iam-deps.js';
import { iamScope } from './iam-requests.js';
import { iamGroup, iamUser, paging } from './iam-responses.js';
import type { Operations } from './types.generated.js';

/** CreateGroup, GetGroup, ListGroups, DeleteGroup, AddUserToGroup, RemoveUserFromGroup, ListGroupsForUser. */
export function groupOperations({ directory }: IamApiDeps): Handlers<Operations> {
  const { entities, groups } = directory;
  return {
    CreateGroup: async (ctx, input) => ({
      Group: iamGroup(await entities.create(iamScope(ctx), 'group', { name: input.GroupName, path: input.Path })),
    }),
    GetGroup: async (ctx, input) => {
      const { group, users } = await groups.withUsers(iamScope(ctx), input.GroupName, input);
      return { Group: iamGroup(group), Users: users.items.map((u) => iamUser(u, { tags: false })), ...paging(users) };
    },
    ListGroups: async (ctx, input) => {
      const page = await entities.list(iamScope(ctx), 'group', input);
      return { Groups: page.items.map(iamGroup), ...paging(page) };
    },
    DeleteGroup: emptyResponse((ctx, input) => entities.delete(iamScope(ctx), 'group', input.GroupName)),
    AddUserToGroup: emptyResponse((ctx, input) => groups.addUser(iamScope(ctx), input.GroupName, input.UserName)),
    RemoveUserFromGroup: emptyResponse((ctx, input) => groups.removeUser(iamScope(ctx), input.GroupName, input.UserName)),
    ListGroupsForUser: async (ctx, input) => {
      const page = await groups.ofUser(iamScope(ctx), input.UserName, input);
      return { Groups: page.items.map(iamGroup), ...paging(page) };
    },
  };
}
