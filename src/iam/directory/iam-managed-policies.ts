import type { IamEntityKind, IamEntityRecord, IamManagedPolicyRecord, Repositories, Storage, Tag } from '../../storage/index.js';
import { checkedPolicy } from './iam-documents.js';
import { existing, type Paging } from './iam-entities.js';
import { IamErrors } from './iam-errors.js';
import { iamArn, newIamId, type IamScope } from './iam-ids.js';
import { DEFAULT_MAX_ITEMS, decodeMarker, pageOf, pageOfList, type IamPage } from './iam-paging.js';

/** Managed policies attached to one user, group or role, at most (IAM's default quota). */
const MAX_ATTACHED = 10;
const QUOTA_NAME: Record<IamEntityKind, string> = { user: 'PoliciesPerUser', group: 'PoliciesPerGroup', role: 'PoliciesPerRole' };
/** Coffer keeps a single version of each policy. */
const VERSION_ID = 'v1';

export interface NewManagedPolicy {
  name: string;
  path?: string;
  document: string;
  description?: string;
  tags?: Tag[];
}

/** Customer managed policies and their attachments. */
export class IamManagedPolicies {
  constructor(private readonly storage: Storage) {}

  async create(scope: IamScope, fields: NewManagedPolicy): Promise<IamManagedPolicyRecord> {
    checkedPolicy(fields.document, 'identity');
    return this.storage.transaction(async (tx) => {
      if (await tx.iam.findPolicyByName(scope.account, fields.name)) {
        throw IamErrors.alreadyExists(`A policy called ${fields.name} already exists. Duplicate names are not allowed.`);
      }
      const path = fields.path ?? '/';
      const policy = {
        id: newIamId('policy'),
        account: scope.account,
        name: fields.name,
        path,
        arn: iamArn(scope, 'policy', path, fields.name),
        ...(fields.description !== undefined ? { description: fields.description } : {}),
        document: fields.document,
        defaultVersionId: VERSION_ID,
        createdAt: scope.now,
        updatedAt: scope.now,
        tags: fields.tags ?? [],
      };
      await tx.iam.insertPolicy(policy);
      return { ...policy, attachmentCount: 0 };
    });
  }

  get(arn: string): Promise<IamManagedPolicyRecord> {
    return existingPolicy(this.storage, arn);
  }

  async version(arn: string, versionId: string): Promise<IamManagedPolicyRecord> {
    const policy = await existingPolicy(this.storage, arn);
    if (versionId !== policy.defaultVersionId) {
      throw IamErrors.noSuchEntity(`Policy ${arn} version ${versionId} does not exist or is not attachable.`);
    }
    return policy;
  }

  /** ListPolicies: Coffer holds no AWS managed policies, so every scope lists the account's own. */
  async list(scope: IamScope, query: Paging & { PathPrefix?: string; OnlyAttached?: boolean }): Promise<IamPage<IamManagedPolicyRecord>> {
    const limit = query.MaxItems ?? DEFAULT_MAX_ITEMS;
    const rows = await this.storage.iam.listPolicies({
      account: scope.account,
      pathPrefix: query.PathPrefix,
      after: decodeMarker(query.Marker),
      limit: limit + 1,
      onlyAttached: query.OnlyAttached ?? false,
    });
    return pageOf(rows, limit, (p) => p.name);
  }

  async delete(arn: string): Promise<void> {
    await this.storage.transaction(async (tx) => {
      const policy = await existingPolicy(tx, arn);
      if (policy.attachmentCount > 0) throw IamErrors.deleteConflict('Cannot delete a policy attached to entities.');
      await tx.iam.deletePolicy(policy.id);
    });
  }

  async attach(scope: IamScope, kind: IamEntityKind, entityName: string, arn: string): Promise<void> {
    await this.storage.transaction(async (tx) => {
      const entity = await existing(tx, scope, kind, entityName);
      const policy = await existingPolicy(tx, arn);
      const attached = await tx.iam.attachedPolicies(entity.id);
      if (attached.some((p) => p.id === policy.id)) return;
      if (attached.length >= MAX_ATTACHED) throw IamErrors.limitExceeded(`Cannot exceed quota for ${QUOTA_NAME[kind]}: ${MAX_ATTACHED}`);
      await tx.iam.attachPolicy(entity.id, policy.id);
    });
  }

  async detach(scope: IamScope, kind: IamEntityKind, entityName: string, arn: string): Promise<void> {
    await this.storage.transaction(async (tx) => {
      const entity = await existing(tx, scope, kind, entityName);
      const policy = await tx.iam.findPolicy(arn);
      if (!policy || !(await tx.iam.detachPolicy(entity.id, policy.id))) throw IamErrors.noSuchEntity(`Policy ${arn} was not found.`);
    });
  }

  async attachedTo(scope: IamScope, kind: IamEntityKind, entityName: string, query: Paging & { PathPrefix?: string }): Promise<IamPage<IamManagedPolicyRecord>> {
    const entity = await existing(this.storage, scope, kind, entityName);
    const prefix = query.PathPrefix ?? '/';
    const policies = (await this.storage.iam.attachedPolicies(entity.id)).filter((p) => p.path.startsWith(prefix));
    return pageOfList(policies, query, (p) => p.name);
  }

  /** ListEntitiesForPolicy: who the policy is attached to, optionally of one kind. */
  async entities(arn: string, query: Paging & { kind?: IamEntityKind; PathPrefix?: string }): Promise<IamPage<IamEntityRecord>> {
    const policy = await existingPolicy(this.storage, arn);
    const prefix = query.PathPrefix ?? '/';
    const entities = (await this.storage.iam.policyAttachments(policy.id)).filter(
      (e) => (query.kind === undefined || e.kind === query.kind) && e.path.startsWith(prefix),
    );
    // Kinds are listed apart, each by name: the marker carries both.
    return pageOfList(entities, query, (e) => `${e.kind}:${e.name}`);
  }
}

async function existingPolicy(tx: Pick<Repositories, 'iam'>, arn: string): Promise<IamManagedPolicyRecord> {
  const policy = await tx.iam.findPolicy(arn);
  if (!policy) throw IamErrors.noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
  return policy;
}
