import { emptyResponse, type Handlers, type RequestContext } from '../operation.js';
import { encodedDocument } from '../../iam/directory/iam-documents.js';
import type { IamDirectory } from '../../iam/directory/iam-directory.js';
import type { IamEntityKind } from '../../storage/index.js';
import { seconds } from '../epoch-seconds.js';
import type { IamApiDeps } from './iam-deps.js';
import { GROUPS, iamScope, ROLES, USERS, type EntityNaming } from './iam-requests.js';
import { iamPolicy, paging } from './iam-responses.js';
import type { EntityType, Operations } from './types.generated.js';

/** A list request's paging and path filter members. */
interface ListRequest {
  Marker?: string;
  MaxItems?: number;
  PathPrefix?: string;
}

/**
 * Inline policies (Put/Get/List/Delete<Kind>Policy) and managed policy attachments
 * (Attach/Detach<Kind>Policy, ListAttached<Kind>Policies) of users, groups and roles alike.
 */
export function entityPolicyOperations({ directory }: IamApiDeps): Handlers<Operations> {
  const user = entityPolicyHandlers(directory, USERS);
  const group = entityPolicyHandlers(directory, GROUPS);
  const role = entityPolicyHandlers(directory, ROLES);
  return {
    PutUserPolicy: user.put,
    GetUserPolicy: user.get,
    ListUserPolicies: user.list,
    DeleteUserPolicy: user.delete,
    AttachUserPolicy: user.attach,
    DetachUserPolicy: user.detach,
    ListAttachedUserPolicies: user.listAttached,
    PutGroupPolicy: group.put,
    GetGroupPolicy: group.get,
    ListGroupPolicies: group.list,
    DeleteGroupPolicy: group.delete,
    AttachGroupPolicy: group.attach,
    DetachGroupPolicy: group.detach,
    ListAttachedGroupPolicies: group.listAttached,
    PutRolePolicy: role.put,
    GetRolePolicy: role.get,
    ListRolePolicies: role.list,
    DeleteRolePolicy: role.delete,
    AttachRolePolicy: role.attach,
    DetachRolePolicy: role.detach,
    ListAttachedRolePolicies: role.listAttached,
  };
}

/** The policy operations of one kind of entity, which its requests and responses name as `naming` says. */
function entityPolicyHandlers<Named>({ inlinePolicies, managedPolicies }: IamDirectory, { kind, nameOf, named }: EntityNaming<Named>) {
  return {
    put: emptyResponse((ctx: RequestContext, input: Named & { PolicyName: string; PolicyDocument: string }) =>
      inlinePolicies.put(iamScope(ctx), kind, nameOf(input), input.PolicyName, input.PolicyDocument),
    ),
    get: async (ctx: RequestContext, input: Named & { PolicyName: string }) => {
      const policy = await inlinePolicies.get(iamScope(ctx), kind, nameOf(input), input.PolicyName);
      return { ...named(policy.entityName), PolicyName: policy.name, PolicyDocument: encodedDocument(policy.document) };
    },
    list: async (ctx: RequestContext, input: Named & ListRequest) => {
      const page = await inlinePolicies.names(iamScope(ctx), kind, nameOf(input), input);
      return { PolicyNames: page.items, ...paging(page) };
    },
    delete: emptyResponse((ctx: RequestContext, input: Named & { PolicyName: string }) =>
      inlinePolicies.delete(iamScope(ctx), kind, nameOf(input), input.PolicyName),
    ),
    attach: emptyResponse((ctx: RequestContext, input: Named & { PolicyArn: string }) =>
      managedPolicies.attach(iamScope(ctx), kind, nameOf(input), input.PolicyArn),
    ),
    detach: emptyResponse((ctx: RequestContext, input: Named & { PolicyArn: string }) =>
      managedPolicies.detach(iamScope(ctx), kind, nameOf(input), input.PolicyArn),
    ),
    listAttached: async (ctx: RequestContext, input: Named & ListRequest) => {
      const page = await managedPolicies.attachedTo(iamScope(ctx), kind, nameOf(input), input);
      return { AttachedPolicies: page.items.map((p) => ({ PolicyName: p.name, PolicyArn: p.arn })), ...paging(page) };
    },
  };
}

const ENTITY_FILTERS: Partial<Record<EntityType, IamEntityKind>> = { User: 'user', Group: 'group', Role: 'role' };

/** CreatePolicy, GetPolicy, GetPolicyVersion, ListPolicies, DeletePolicy, ListEntitiesForPolicy. */
export function managedPolicyOperations({ directory }: IamApiDeps): Handlers<Operations> {
  const { managedPolicies } = directory;
  return {
    CreatePolicy: async (ctx, input) => ({
      Policy: iamPolicy(
        await managedPolicies.create(iamScope(ctx), {
          name: input.PolicyName,
          path: input.Path,
          document: input.PolicyDocument,
          description: input.Description,
          tags: input.Tags,
        }),
      ),
    }),
    GetPolicy: async (_ctx, input) => ({ Policy: iamPolicy(await managedPolicies.get(input.PolicyArn), { description: true }) }),
    GetPolicyVersion: async (_ctx, input) => {
      const policy = await managedPolicies.version(input.PolicyArn, input.VersionId);
      return {
        PolicyVersion: {
          Document: encodedDocument(policy.document),
          VersionId: policy.defaultVersionId,
          IsDefaultVersion: true,
          CreateDate: seconds(policy.createdAt),
        },
      };
    },
    ListPolicies: async (ctx, input) => {
      // Coffer holds no AWS managed policies: Scope=AWS lists none.
      if (input.Scope === 'AWS') return { Policies: [], IsTruncated: false };
      const page = await managedPolicies.list(iamScope(ctx), input);
      return { Policies: page.items.map((p) => iamPolicy(p)), ...paging(page) };
    },
    DeletePolicy: emptyResponse((_ctx, input) => managedPolicies.delete(input.PolicyArn)),
    ListEntitiesForPolicy: async (_ctx, input) => {
      const filter = input.EntityFilter;
      const kind = filter === undefined ? undefined : ENTITY_FILTERS[filter];
      const page =
        filter !== undefined && kind === undefined
          ? { items: [], IsTruncated: false }
          : await managedPolicies.entities(input.PolicyArn, { ...input, kind });
      const of = (k: IamEntityKind) => page.items.filter((e) => e.kind === k);
      return {
        PolicyGroups: of('group').map((e) => ({ GroupName: e.name, GroupId: e.id })),
        PolicyUsers: of('user').map((e) => ({ UserName: e.name, UserId: e.id })),
        PolicyRoles: of('role').map((e) => ({ RoleName: e.name, RoleId: e.id })),
        ...paging(page),
      };
    },
  };
}
