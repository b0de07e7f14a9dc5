import type { RequestContext } from '../operation.js';
import type { IamEntityKind } from '../../storage/index.js';
import type { IamScope } from '../../iam/directory/iam-ids.js';

/** The model's member prefix of each kind: UserName, GroupId, RoleName, ... */
export const KIND_TITLE: Record<IamEntityKind, 'User' | 'Group' | 'Role'> = { user: 'User', group: 'Group', role: 'Role' };
export const KINDS: IamEntityKind[] = ['user', 'group', 'role'];

/** The request member that names an entity of each kind. */
export const NAME_MEMBER: Record<IamEntityKind, 'UserName' | 'GroupName' | 'RoleName'> = { user: 'UserName', group: 'GroupName', role: 'RoleName' };

export function iamScope(ctx: RequestContext): IamScope {
  return { account: ctx.scope.account, partition: ctx.scope.partition, now: ctx.scope.now };
}

/**
 * How the operations of one kind of entity name it: in requests (`nameOf`) and in
 * responses (`named`), under UserName, GroupName or RoleName.
 */
export interface EntityNaming<Named> {
  kind: IamEntityKind;
  nameOf(input: Named): string;
  named(name: string): Named;
}

export const USERS: EntityNaming<{ UserName: string }> = { kind: 'user', nameOf: (input) => input.UserName, named: (UserName) => ({ UserName }) };
export const GROUPS: EntityNaming<{ GroupName: string }> = { kind: 'group', nameOf: (input) => input.GroupName, named: (GroupName) => ({ GroupName }) };
export const ROLES: EntityNaming<{ RoleName: string }> = { kind: 'role', nameOf: (input) => input.RoleName, named: (RoleName) => ({ RoleName }) };
