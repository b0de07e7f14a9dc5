import type { IamEntityKind, IamEntityRecord, Repositories, Storage, Tag } from '../../storage/index.js';
import { checkedPolicy } from './iam-documents.js';
import { IamErrors } from './iam-errors.js';
import { iamArn, newIamId, type IamScope } from './iam-ids.js';
import { DEFAULT_MAX_ITEMS, decodeMarker, pageOf, pageOfList, type IamPage } from './iam-paging.js';

export interface NewEntity {
  name: string;
  path?: string;
  tags?: Tag[];
  /** Roles only. */
  trustPolicy?: string;
  description?: string;
  maxSessionDuration?: number;
}

export interface Paging {
  Marker?: string;
  MaxItems?: number;
}

const TITLE: Record<IamEntityKind, string> = { user: 'User', group: 'Group', role: 'Role' };
const MAX_TAGS = 50;
/** AssumeRole's default session length, and so a role's default maximum. */
export const DEFAULT_MAX_SESSION_DURATION = 3600;

/** The entity named `name`, read in a unit of work, or NoSuchEntity as IAM words it. */
export async function existing(tx: Pick<Repositories, 'iam'>, scope: Pick<IamScope, 'account'>, kind: IamEntityKind, name: string): Promise<IamEntityRecord> {
  const entity = await tx.iam.findEntity(scope.account, kind, name);
  if (!entity) throw IamErrors.noSuchEntity(`The ${kind} with name ${name} cannot be found.`);
  return entity;
}

/** Users, groups and roles: their life cycle and tags. */
export class IamEntities {
  constructor(private readonly storage: Storage) {}

  async create(scope: IamScope, kind: IamEntityKind, fields: NewEntity): Promise<IamEntityRecord> {
    if (fields.trustPolicy !== undefined) checkedPolicy(fields.trustPolicy, 'trust');
    checkTagCount(fields.tags ?? []);
    return this.storage.transaction(async (tx) => {
      if (await tx.iam.findEntity(scope.account, kind, fields.name)) {
        throw IamErrors.alreadyExists(`${TITLE[kind]} with name ${fields.name} already exists.`);
      }
      const path = fields.path ?? '/';
      const entity: IamEntityRecord = {
        id: newIamId(kind),
        account: scope.account,
        kind,
        name: fields.name,
        path,
        arn: iamArn(scope, kind, path, fields.name),
        createdAt: scope.now,
        tags: fields.tags ?? [],
        ...(kind === 'role'
          ? { trustPolicy: fields.trustPolicy, maxSessionDuration: fields.maxSessionDuration ?? DEFAULT_MAX_SESSION_DURATION }
          : {}),
        ...(fields.description !== undefined ? { description: fields.description } : {}),
      };
      await tx.iam.insertEntity(entity);
      return entity;
    });
  }

  get(scope: IamScope, kind: IamEntityKind, name: string): Promise<IamEntityRecord> {
    return existing(this.storage, scope, kind, name);
  }

  byArn(arn: string): Promise<IamEntityRecord | undefined> {
    return this.storage.iam.findEntityByArn(arn);
  }

  async list(scope: IamScope, kind: IamEntityKind, query: Paging & { PathPrefix?: string }): Promise<IamPage<IamEntityRecord>> {
    const limit = query.MaxItems ?? DEFAULT_MAX_ITEMS;
    const rows = await this.storage.iam.listEntities(kind, {
      account: scope.account,
      pathPrefix: query.PathPrefix,
      after: decodeMarker(query.Marker),
      limit: limit + 1,
    });
    return pageOf(rows, limit, (e) => e.name);
  }

  /** Refuses, as IAM does, while anything still hangs on the entity. */
  async delete(scope: IamScope, kind: IamEntityKind, name: string): Promise<void> {
    await this.storage.transaction(async (tx) => {
      const entity = await existing(tx, scope, kind, name);
      if (kind === 'user' && (await tx.accessKeys.listByPrincipal(entity.arn)).length > 0) {
        throw IamErrors.deleteConflict('Cannot delete entity, must delete access keys first.');
      }
      if ((await tx.iam.listInlinePolicies(entity.id)).length > 0) throw IamErrors.deleteConflict('Cannot delete entity, must delete policies first.');
      if ((await tx.iam.attachedPolicies(entity.id)).length > 0) throw IamErrors.deleteConflict('Cannot delete entity, must detach all policies first.');
      if (kind === 'user' && (await tx.iam.groupsOf(entity.id)).length > 0) {
        throw IamErrors.deleteConflict('Cannot delete entity, must remove user from all groups first.');
      }
      if (kind === 'group' && (await tx.iam.membersOf(entity.id)).length > 0) {
        throw IamErrors.deleteConflict('Cannot delete entity, must remove users from group first.');
      }
      await tx.iam.deleteEntity(entity.id);
    });
  }

  /** Adds tags, replacing the values of keys already there. */
  tag(scope: IamScope, kind: IamEntityKind, name: string, tags: Tag[]): Promise<void> {
    return this.update(scope, kind, name, (entity) => {
      const byKey = new Map(entity.tags.map((t) => [t.Key, t.Value]));
      for (const t of tags) byKey.set(t.Key, t.Value);
      const merged = [...byKey].map(([Key, Value]) => ({ Key, Value }));
      checkTagCount(merged);
      return { ...entity, tags: merged };
    });
  }

  untag(scope: IamScope, kind: IamEntityKind, name: string, keys: string[]): Promise<void> {
    const removed = new Set(keys);
    return this.update(scope, kind, name, (entity) => ({ ...entity, tags: entity.tags.filter((t) => !removed.has(t.Key)) }));
  }

  async tags(scope: IamScope, kind: IamEntityKind, name: string, paging: Paging): Promise<IamPage<Tag>> {
    const entity = await this.get(scope, kind, name);
    return pageOfList(entity.tags, paging, (t) => t.Key);
  }

  updateTrustPolicy(scope: IamScope, roleName: string, trustPolicy: string): Promise<void> {
    checkedPolicy(trustPolicy, 'trust');
    return this.update(scope, 'role', roleName, (role) => ({ ...role, trustPolicy }));
  }

  private async update(scope: IamScope, kind: IamEntityKind, name: string, change: (entity: IamEntityRecord) => IamEntityRecord): Promise<void> {
    await this.storage.transaction(async (tx) => tx.iam.updateEntity(change(await existing(tx, scope, kind, name))));
  }
}

function checkTagCount(tags: Tag[]): void {
  if (tags.length > MAX_TAGS) throw IamErrors.limitExceeded(`The number of tags has reached the maximum limit of ${MAX_TAGS}.`);
}
