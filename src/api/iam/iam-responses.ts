import type { IamEntityRecord, IamManagedPolicyRecord, Tag } from '../../storage/index.js';
import { encodedDocument } from '../../iam/directory/iam-documents.js';
import type { IamPage } from '../../iam/directory/iam-paging.js';
import { seconds } from '../epoch-seconds.js';
import type { Group, Policy, Role, User } from './types.generated.js';

/** A list response's paging members. */
export function paging<T>(page: IamPage<T>): { IsTruncated: boolean; Marker?: string } {
  return page.Marker === undefined ? { IsTruncated: page.IsTruncated } : { IsTruncated: page.IsTruncated, Marker: page.Marker };
}

function tagsMember(tags: Tag[]): { Tags?: Tag[] } {
  return tags.length > 0 ? { Tags: tags } : {};
}

/** A User as IAM describes it; list responses leave its tags out. */
export function iamUser(user: IamEntityRecord, options: { tags?: boolean } = {}): User {
  const described = { Path: user.path, UserName: user.name, UserId: user.id, Arn: user.arn, CreateDate: seconds(user.createdAt) };
  return options.tags === false ? described : { ...described, ...tagsMember(user.tags) };
}

/** A Group (IAM groups have no tags). */
export function iamGroup(group: IamEntityRecord): Group {
  return { Path: group.path, GroupName: group.name, GroupId: group.id, Arn: group.arn, CreateDate: seconds(group.createdAt) };
}

/** A Role as IAM describes it; list responses leave its tags out. */
export function iamRole(role: IamEntityRecord, options: { tags?: boolean } = {}): Role {
  const described: Role = {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.id,
    Arn: role.arn,
    CreateDate: seconds(role.createdAt),
    AssumeRolePolicyDocument: encodedDocument(role.trustPolicy ?? ''),
    ...(role.description === undefined ? {} : { Description: role.description }),
    MaxSessionDuration: role.maxSessionDuration,
  };
  return options.tags === false ? described : { ...described, ...tagsMember(role.tags) };
}

export function iamPolicy(policy: IamManagedPolicyRecord, options: { description?: boolean } = {}): Policy {
  return {
    PolicyName: policy.name,
    PolicyId: policy.id,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: policy.attachmentCount,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    ...(options.description && policy.description !== undefined ? { Description: policy.description } : {}),
    CreateDate: seconds(policy.createdAt),
    UpdateDate: seconds(policy.updatedAt),
    ...tagsMember(policy.tags),
  };
}
