import type { IamEntityKind } from '../../storage/index.js';
import { KIND_TITLE, KINDS } from './iam-requests.js';

/** What an IAM action is authorized against: an entity, a managed policy, or no resource (`*`). */
export type IamActionResource = IamEntityKind | 'policy' | 'none';

/**
 * The resource type of every IAM action Coffer serves, as AWS's service authorization
 * reference lists it. Requests that name both a user and a group (AddUserToGroup) act on
 * the group; attaching acts on the entity, with the policy in iam:PolicyARN.
 */
export const IAM_ACTION_RESOURCES: Readonly<Record<string, IamActionResource>> = {
  CreateUser: 'user',
  GetUser: 'user',
  DeleteUser: 'user',
  ListUsers: 'none',
  CreateAccessKey: 'user',
  ListAccessKeys: 'user',
  UpdateAccessKey: 'user',
  DeleteAccessKey: 'user',
  ListGroupsForUser: 'user',
  TagUser: 'user',
  UntagUser: 'user',
  ListUserTags: 'user',
  CreateGroup: 'group',
  GetGroup: 'group',
  DeleteGroup: 'group',
  ListGroups: 'none',
  AddUserToGroup: 'group',
  RemoveUserFromGroup: 'group',
  CreateRole: 'role',
  GetRole: 'role',
  DeleteRole: 'role',
  UpdateAssumeRolePolicy: 'role',
  TagRole: 'role',
  UntagRole: 'role',
  ListRoleTags: 'role',
  ListRoles: 'none',
  CreatePolicy: 'policy',
  GetPolicy: 'policy',
  GetPolicyVersion: 'policy',
  DeletePolicy: 'policy',
  ListEntitiesForPolicy: 'policy',
  ListPolicies: 'none',
  ...Object.fromEntries(
    KINDS.flatMap((kind) => {
      const title = KIND_TITLE[kind];
      const operations = [`Put${title}Policy`, `Get${title}Policy`, `List${title}Policies`, `Delete${title}Policy`];
      return [...operations, `Attach${title}Policy`, `Detach${title}Policy`, `ListAttached${title}Policies`].map((operation) => [operation, kind]);
    }),
  ),
};
