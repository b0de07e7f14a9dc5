import type { RequestContext } from '../operation.js';
import type { IamEntityKind, IamEntityRecord, IamManagedPolicyRecord, Tag } from '../../storage/index.js';
import { encodedDocument } from '../../iam/directory/iam-documents.js';
import type { IamScope } from '../../iam/directory/iam-ids.js';
import type { IamPage } from '../../iam/directory/iam-paging.js';

/** The model's member prefix of each kind: UserName, GroupId, RoleName, ... */
export const KIND_TITLE: Record<IamEntityKind, 'User' | 'Group' | 'Role'> = { user: 'User', group: 'Group', role: 'Role' };
export const KINDS: IamEntityKind[] = ['user', 'group', 'role'];

export function iamScope(ctx: RequestContext): IamScope {
  return { account: ctx.scope.account, partition: ctx.scope.partition, now: ctx.scope.now };
}

/** Timestamps leave handlers as epoch seconds, as for JSON 1.1; the XML writer formats them. */
export const seconds = (ms: number): number => ms / 1000;

/** A list request's paging and path filter members. */
export function listQuery(input: Record<string, unknown>): { Marker?: string; MaxItems?: number; PathPrefix?: string } {
  return input as { Marker?: string; MaxItems?: number; PathPrefix?: string };
}

/** A list response's paging members. */
export function paging<T>(page: IamPage<T>): { IsTruncated: boolean; Marker?: string } {
  return page.Marker === undefined ? { IsTruncated: page.IsTruncated } : { IsTruncated: page.IsTruncated, Marker: page.Marker };
}

function tagsMember(tags: Tag[]): { Tags?: Tag[] } {
  return tags.length > 0 ? { Tags: tags } : {};
}

/** User, Group (without tags: IAM groups have none) or Role, as IAM describes them. */
export function entityShape(entity: IamEntityRecord, options: { tags?: boolean } = {}): Record<string, unknown> {
  const title = KIND_TITLE[entity.kind];
  const shape: Record<string, unknown> = {
    Path: entity.path,
    [`${title}Name`]: entity.name,
    [`${title}Id`]: entity.id,
    Arn: entity.arn,
    CreateDate: seconds(entity.createdAt),
  };
  if (entity.kind === 'role') {
    shape.AssumeRolePolicyDocument = encodedDocument(entity.trustPolicy ?? '');
    if (entity.description !== undefined) shape.Description = entity.description;
    shape.MaxSessionDuration = entity.maxSessionDuration;
  }
  return entity.kind === 'group' || options.tags === false ? shape : { ...shape, ...tagsMember(entity.tags) };
}

export function policyShape(policy: IamManagedPolicyRecord, options: { description?: boolean } = {}): Record<string, unknown> {
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
