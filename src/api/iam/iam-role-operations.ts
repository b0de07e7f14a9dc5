import { emptyResponse, type Handlers } from '../operation.js';
import type { IamApiDeps } from './iam-deps.js';
import { iamScope, ROLES } from './iam-requests.js';
import { iamRole, paging } from './iam-responses.js';
import { tagHandlers } from './iam-user-operations.js';
import type { Operations } from './types.generated.js';

/** CreateRole, GetRole, ListRoles, DeleteRole, UpdateAssumeRolePolicy, TagRole, UntagRole, ListRoleTags. */
export function roleOperations({ directory }: IamApiDeps): Handlers<Operations> {
  const { entities } = directory;
  const tags = tagHandlers({ directory }, ROLES);
  return {
    CreateRole: async (ctx, input) => ({
      Role: iamRole(
        await entities.create(iamScope(ctx), 'role', {
          name: input.RoleName,
          path: input.Path,
          trustPolicy: input.AssumeRolePolicyDocument,
          description: input.Description,
          maxSessionDuration: input.MaxSessionDuration,
          tags: input.Tags,
        }),
      ),
    }),
    GetRole: async (ctx, input) => ({ Role: iamRole(await entities.get(iamScope(ctx), 'role', input.RoleName)) }),
    ListRoles: async (ctx, input) => {
      const page = await entities.list(iamScope(ctx), 'role', input);
      return { Roles: page.items.map((r) => iamRole(r, { tags: false })), ...paging(page) };
    },
    DeleteRole: emptyResponse((ctx, input) => entities.delete(iamScope(ctx), 'role', input.RoleName)),
    UpdateAssumeRolePolicy: emptyResponse((ctx, input) => entities.updateTrustPolicy(iamScope(ctx), input.RoleName, input.PolicyDocument)),
    TagRole: tags.tag,
    UntagRole: tags.untag,
    ListRoleTags: tags.list,
  };
}
