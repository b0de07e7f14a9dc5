import type { IamEntityKind, IamInlinePolicyRecord, Storage } from '../../storage/index.js';
import { checkedPolicy, policySize } from './iam-documents.js';
import { existing, type Paging } from './iam-entities.js';
import { IamErrors } from './iam-errors.js';
import type { IamScope } from './iam-ids.js';
import { pageOfList, type IamPage } from './iam-paging.js';

/** IAM's quota on the total size of an entity's inline policies (non-white-space characters). */
const INLINE_QUOTA: Record<IamEntityKind, number> = { user: 2048, group: 5120, role: 10240 };

/** Policies embedded in a user, group or role (PutUserPolicy, GetRolePolicy, ...). */
export class IamInlinePolicies {
  constructor(private readonly storage: Storage) {}

  async put(scope: IamScope, kind: IamEntityKind, entityName: string, policyName: string, document: string): Promise<void> {
    checkedPolicy(document, 'identity');
    await this.storage.transaction(async (tx) => {
      const entity = await existing(tx, scope, kind, entityName);
      const others = (await tx.iam.listInlinePolicies(entity.id)).filter((p) => p.name.toLowerCase() !== policyName.toLowerCase());
      const total = others.reduce((sum, p) => sum + policySize(p.document), policySize(document));
      if (total > INLINE_QUOTA[kind]) {
        throw IamErrors.limitExceeded(`Maximum policy size of ${INLINE_QUOTA[kind]} bytes exceeded for ${kind} ${entity.name}`);
      }
      await tx.iam.putInlinePolicy(entity.id, { name: policyName, document });
    });
  }

  async get(scope: IamScope, kind: IamEntityKind, entityName: string, policyName: string): Promise<IamInlinePolicyRecord & { entityName: string }> {
    const entity = await existing(this.storage, scope, kind, entityName);
    const policy = await this.storage.iam.findInlinePolicy(entity.id, policyName);
    if (!policy) throw notFound(kind, policyName);
    return { ...policy, entityName: entity.name };
  }

  async names(scope: IamScope, kind: IamEntityKind, entityName: string, paging: Paging): Promise<IamPage<string>> {
    const entity = await existing(this.storage, scope, kind, entityName);
    const names = (await this.storage.iam.listInlinePolicies(entity.id)).map((p) => p.name);
    return pageOfList(names, paging, (n) => n);
  }

  async delete(scope: IamScope, kind: IamEntityKind, entityName: string, policyName: string): Promise<void> {
    await this.storage.transaction(async (tx) => {
      const entity = await existing(tx, scope, kind, entityName);
      if (!(await tx.iam.deleteInlinePolicy(entity.id, policyName))) throw notFound(kind, policyName);
    });
  }
}

function notFound(kind: IamEntityKind, policyName: string) {
  return IamErrors.noSuchEntity(`The ${kind} policy with name ${policyName} cannot be found.`);
}
