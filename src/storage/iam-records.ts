/** IAM's stored entities. Times are epoch milliseconds. */
import type { Tag } from './stored-records.js';

export type IamEntityKind = 'user' | 'group' | 'role';

/**
 * A user, group or role: they share a name space per kind and account (names compare without
 * regard to case, as IAM's do), a path, an id and an ARN. Roles add their trust policy and
 * session settings.
 */
export interface IamEntityRecord {
  /** AIDA... (user), AGPA... (group), AROA... (role). */
  id: string;
  account: string;
  kind: IamEntityKind;
  name: string;
  path: string;
  arn: string;
  createdAt: number;
  tags: Tag[];
  /** Roles: the trust policy (JSON text), as given. */
  trustPolicy?: string;
  description?: string;
  /** Roles: the longest session AssumeRole grants, in seconds. */
  maxSessionDuration?: number;
}

/** A policy document embedded in one user, group or role. */
export interface IamInlinePolicyRecord {
  name: string;
  document: string;
}

/** A customer managed policy; Coffer keeps one version of it (v1). */
export interface IamManagedPolicyRecord {
  /** ANPA... */
  id: string;
  account: string;
  name: string;
  path: string;
  arn: string;
  description?: string;
  document: string;
  defaultVersionId: string;
  createdAt: number;
  updatedAt: number;
  tags: Tag[];
  /** How many users, groups and roles it is attached to (computed on read). */
  attachmentCount: number;
}

export type NewIamManagedPolicy = Omit<IamManagedPolicyRecord, 'attachmentCount'>;
