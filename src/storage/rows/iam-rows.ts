import type { IamListQuery } from '../repositories.js';
import type { IamEntityKind, IamEntityRecord, IamManagedPolicyRecord } from '../iam-records.js';
import type { Tag } from '../stored-records.js';
import { computed, fixed, integer, json, optional, table, text, time } from './table.js';

/** Users, groups and roles in one table; a user's or group's role-only columns are NULL. */
export const IAM_ENTITIES = table<IamEntityRecord>('iam_entities', {
  id: fixed(text('id')),
  account: fixed(text('account')),
  kind: fixed(text<IamEntityKind>('kind')),
  name: fixed(text('name')),
  path: fixed(text('path')),
  arn: fixed(text('arn')),
  createdAt: fixed(time('created_at')),
  tags: json<Tag[]>('tags'),
  trustPolicy: optional(text('trust_policy')),
  description: optional(text('description')),
  maxSessionDuration: optional(integer('max_session_duration')),
});

/** Managed policies; each SELECT counts a policy's attachments (see POLICY_COLUMNS in the repositories). */
export const IAM_POLICIES = table<IamManagedPolicyRecord, 'attachmentCount'>('iam_policies', {
  id: text('id'),
  account: text('account'),
  name: text('name'),
  path: text('path'),
  arn: text('arn'),
  description: optional(text('description')),
  document: text('document'),
  defaultVersionId: text('default_version_id'),
  createdAt: time('created_at'),
  updatedAt: time('updated_at'),
  tags: json<Tag[]>('tags'),
  attachmentCount: computed(integer('attachment_count')),
});

export function listParams(query: IamListQuery) {
  return { account: query.account, pathPrefix: query.pathPrefix ?? null, after: query.after ?? null, limit: query.limit };
}
