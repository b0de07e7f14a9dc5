import { emptyResponse, type OperationHandler } from '../operation.js';
import type { Tag } from '../../storage/index.js';
import type { IamApiDeps } from './iam-deps.js';
import { entityShape, iamScope, listQuery, paging } from './iam-shapes.js';
import { tagOperations } from './iam-user-operations.js';

/** CreateRole, GetRole, ListRoles, DeleteRole, UpdateAssumeRolePolicy, TagRole, UntagRole, ListRoleTags. */
export function roleOperations({ directory }: IamApiDeps): Record<string, OperationHandler> {
  const { entities } = directory;
  return {
    CreateRole: async (ctx, input) => ({
      Role: entityShape(
        await entities.create(iamScope(ctx), 'role', {
          name: input.RoleName as string,
          path: input.Path as string | undefined,
          trustPolicy: input.AssumeRolePolicyDocument as string,
          description: input.Description as string | undefined,
          maxSessionDuration: input.MaxSessionDuration as number | undefined,
          tags: input.Tags as Tag[] | undefined,
        }),
      ),
    }),
    GetRole: async (ctx, input) => ({ Role: entityShape(await entities.get(iamScope(ctx), 'role', input.RoleName as string)) }),
    ListRoles: async (ctx, input) => {
      const page = await entities.list(iamScope(ctx), 'role', listQuery(input));
      return { Roles: page.items.map((r) => entityShape(r, { tags: false })), ...paging(page) };
    },
    DeleteRole: emptyResponse((ctx, input) => entities.delete(iamScope(ctx), 'role', input.RoleName as string)),
    UpdateAssumeRolePolicy: emptyResponse((ctx, input) =>
      entities.updateTrustPolicy(iamScope(ctx), input.RoleName as string, input.PolicyDocument as string),
    ),
    ...tagOperations({ directory }, 'role', 'Role'),
  };
}
