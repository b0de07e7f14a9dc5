import type { IamListQuery } from '../repositories.js';
import type { IamEntityKind, IamEntityRecord, IamManagedPolicyRecord, NewIamManagedPolicy } from '../iam-records.js';

/** IAM entities and managed policies as both SQL dialects store them. */
export interface EntityRow {
  id: string;
  account: string;
  kind: IamEntityKind;
  name: string;
  path: string;
  arn: string;
  created_at: number;
  tags: string;
  trust_policy: string | null;
  description: string | null;
  max_session_duration: number | null;
}

export interface PolicyRow {
  id: string;
  account: string;
  name: string;
  path: string;
  arn: string;
  description: string | null;
  document: string;
  default_version_id: string;
  created_at: number;
  updated_at: number;
  tags: string;
  attachment_count: number;
}

export function toEntity(row: EntityRow): IamEntityRecord {
  return {
    id: row.id,
    account: row.account,
    kind: row.kind,
    name: row.name,
    path: row.path,
    arn: row.arn,
    createdAt: row.created_at,
    tags: JSON.parse(row.tags),
    ...(row.trust_policy === null ? {} : { trustPolicy: row.trust_policy }),
    ...(row.description === null ? {} : { description: row.description }),
    ...(row.max_session_duration === null ? {} : { maxSessionDuration: row.max_session_duration }),
  };
}

export function entityParams(e: IamEntityRecord) {
  return {
    ...e,
    tags: JSON.stringify(e.tags),
    trustPolicy: e.trustPolicy ?? null,
    description: e.description ?? null,
    maxSessionDuration: e.maxSessionDuration ?? null,
  };
}

export function toPolicy(row: PolicyRow): IamManagedPolicyRecord {
  return {
    id: row.id,
    account: row.account,
    name: row.name,
    path: row.path,
    arn: row.arn,
    ...(row.description === null ? {} : { description: row.description }),
    document: row.document,
    defaultVersionId: row.default_version_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    tags: JSON.parse(row.tags),
    attachmentCount: row.attachment_count,
  };
}

export function policyParams(policy: NewIamManagedPolicy) {
  return { ...policy, description: policy.description ?? null, tags: JSON.stringify(policy.tags) };
}

export function listParams(query: IamListQuery) {
  return { account: query.account, pathPrefix: query.pathPrefix ?? null, after: query.after ?? null, limit: query.limit };
}
