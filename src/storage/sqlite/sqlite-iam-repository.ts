import type { Db } from './sqlite-database.js';
import type { IamListQuery, IamRepository } from '../repositories.js';
import type {
  IamEntityKind,
  IamEntityRecord,
  IamInlinePolicyRecord,
  IamManagedPolicyRecord,
  NewIamManagedPolicy,
} from '../iam-records.js';
import { IAM_ENTITIES, IAM_POLICIES, listParams } from '../rows/iam-rows.js';

const POLICY_COLUMNS = `p.*, (SELECT count(*) FROM iam_attachments a WHERE a.policy_id = p.id) AS attachment_count`;
/** A path prefix compared as plain text (no LIKE wildcards), case-sensitively as IAM does. */
const PATH_PREFIX = `(@pathPrefix IS NULL OR substr(path, 1, length(@pathPrefix)) = @pathPrefix)`;
const AFTER = `(@after IS NULL OR name > @after)`;

export class SqliteIamRepository implements IamRepository {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      findEntity: db.prepare('SELECT * FROM iam_entities WHERE account = ? AND kind = ? AND name = ?'),
      findEntityByArn: db.prepare('SELECT * FROM iam_entities WHERE arn = ?'),
      insertEntity: db.prepare(IAM_ENTITIES.insert()),
      updateEntity: db.prepare(IAM_ENTITIES.update('id = @id')),
      deleteEntity: db.prepare('DELETE FROM iam_entities WHERE id = ?'),
      listEntities: db.prepare(`SELECT * FROM iam_entities WHERE account = @account AND kind = @kind AND ${PATH_PREFIX}
        AND ${AFTER} ORDER BY name LIMIT @limit`),

      addMember: db.prepare('INSERT OR IGNORE INTO iam_group_members (group_id, user_id) VALUES (?, ?)'),
      removeMember: db.prepare('DELETE FROM iam_group_members WHERE group_id = ? AND user_id = ?'),
      membersOf: db.prepare(`SELECT e.* FROM iam_group_members m JOIN iam_entities e ON e.id = m.user_id
        WHERE m.group_id = ? ORDER BY e.name`),
      groupsOf: db.prepare(`SELECT e.* FROM iam_group_members m JOIN iam_entities e ON e.id = m.group_id
        WHERE m.user_id = ? ORDER BY e.name`),

      putInline: db.prepare(`INSERT INTO iam_inline_policies (entity_id, name, document) VALUES (?, ?, ?)
        ON CONFLICT (entity_id, name) DO UPDATE SET document = excluded.document`),
      findInline: db.prepare('SELECT name, document FROM iam_inline_policies WHERE entity_id = ? AND name = ?'),
      listInline: db.prepare('SELECT name, document FROM iam_inline_policies WHERE entity_id = ? ORDER BY name'),
      deleteInline: db.prepare('DELETE FROM iam_inline_policies WHERE entity_id = ? AND name = ?'),

      findPolicy: db.prepare(`SELECT ${POLICY_COLUMNS} FROM iam_policies p WHERE arn = ?`),
      findPolicyByName: db.prepare(`SELECT ${POLICY_COLUMNS} FROM iam_policies p WHERE account = ? AND name = ?`),
      insertPolicy: db.prepare(IAM_POLICIES.insert()),
      deletePolicy: db.prepare('DELETE FROM iam_policies WHERE id = ?'),
      listPolicies: db.prepare(`SELECT ${POLICY_COLUMNS} FROM iam_policies p WHERE account = @account AND ${PATH_PREFIX}
        AND ${AFTER} AND (@onlyAttached = 0 OR EXISTS (SELECT 1 FROM iam_attachments a WHERE a.policy_id = p.id))
        ORDER BY name LIMIT @limit`),
      attach: db.prepare('INSERT OR IGNORE INTO iam_attachments (entity_id, policy_id) VALUES (?, ?)'),
      detach: db.prepare('DELETE FROM iam_attachments WHERE entity_id = ? AND policy_id = ?'),
      attachedPolicies: db.prepare(`SELECT ${POLICY_COLUMNS} FROM iam_attachments x JOIN iam_policies p ON p.id = x.policy_id
        WHERE x.entity_id = ? ORDER BY p.name`),
      policyAttachments: db.prepare(`SELECT e.* FROM iam_attachments x JOIN iam_entities e ON e.id = x.entity_id
        WHERE x.policy_id = ? ORDER BY e.kind, e.name`),
    };
  }

  async findEntity(account: string, kind: IamEntityKind, name: string): Promise<IamEntityRecord | undefined> {
    return IAM_ENTITIES.readOne(this.stmts.findEntity.get(account, kind, name));
  }

  async findEntityByArn(arn: string): Promise<IamEntityRecord | undefined> {
    return IAM_ENTITIES.readOne(this.stmts.findEntityByArn.get(arn));
  }

  async insertEntity(entity: IamEntityRecord): Promise<void> {
    this.stmts.insertEntity.run(IAM_ENTITIES.params(entity, 'sqlite'));
  }

  async updateEntity(entity: IamEntityRecord): Promise<void> {
    this.stmts.updateEntity.run(IAM_ENTITIES.params(entity, 'sqlite'));
  }

  async deleteEntity(id: string): Promise<void> {
    this.stmts.deleteEntity.run(id);
  }

  async listEntities(kind: IamEntityKind, query: IamListQuery): Promise<IamEntityRecord[]> {
    return IAM_ENTITIES.readAll(this.stmts.listEntities.all({ ...listParams(query), kind }));
  }

  async addMember(groupId: string, userId: string): Promise<void> {
    this.stmts.addMember.run(groupId, userId);
  }

  async removeMember(groupId: string, userId: string): Promise<boolean> {
    return this.stmts.removeMember.run(groupId, userId).changes > 0;
  }

  async membersOf(groupId: string): Promise<IamEntityRecord[]> {
    return IAM_ENTITIES.readAll(this.stmts.membersOf.all(groupId));
  }

  async groupsOf(userId: string): Promise<IamEntityRecord[]> {
    return IAM_ENTITIES.readAll(this.stmts.groupsOf.all(userId));
  }

  async putInlinePolicy(entityId: string, policy: IamInlinePolicyRecord): Promise<void> {
    this.stmts.putInline.run(entityId, policy.name, policy.document);
  }

  async findInlinePolicy(entityId: string, name: string): Promise<IamInlinePolicyRecord | undefined> {
    return this.stmts.findInline.get(entityId, name) as IamInlinePolicyRecord | undefined;
  }

  async listInlinePolicies(entityId: string): Promise<IamInlinePolicyRecord[]> {
    return this.stmts.listInline.all(entityId) as IamInlinePolicyRecord[];
  }

  async deleteInlinePolicy(entityId: string, name: string): Promise<boolean> {
    return this.stmts.deleteInline.run(entityId, name).changes > 0;
  }

  async findPolicy(arn: string): Promise<IamManagedPolicyRecord | undefined> {
    return IAM_POLICIES.readOne(this.stmts.findPolicy.get(arn));
  }

  async findPolicyByName(account: string, name: string): Promise<IamManagedPolicyRecord | undefined> {
    return IAM_POLICIES.readOne(this.stmts.findPolicyByName.get(account, name));
  }

  async insertPolicy(policy: NewIamManagedPolicy): Promise<void> {
    this.stmts.insertPolicy.run(IAM_POLICIES.params(policy, 'sqlite'));
  }

  async deletePolicy(id: string): Promise<void> {
    this.stmts.deletePolicy.run(id);
  }

  async listPolicies(query: IamListQuery & { onlyAttached: boolean }): Promise<IamManagedPolicyRecord[]> {
    return IAM_POLICIES.readAll(this.stmts.listPolicies.all({ ...listParams(query), onlyAttached: query.onlyAttached ? 1 : 0 }));
  }

  async attachPolicy(entityId: string, policyId: string): Promise<void> {
    this.stmts.attach.run(entityId, policyId);
  }

  async detachPolicy(entityId: string, policyId: string): Promise<boolean> {
    return this.stmts.detach.run(entityId, policyId).changes > 0;
  }

  async attachedPolicies(entityId: string): Promise<IamManagedPolicyRecord[]> {
    return IAM_POLICIES.readAll(this.stmts.attachedPolicies.all(entityId));
  }

  async policyAttachments(policyId: string): Promise<IamEntityRecord[]> {
    return IAM_ENTITIES.readAll(this.stmts.policyAttachments.all(policyId));
  }
}
