import type { IamListQuery, IamRepository } from '../repositories.js';
import type { IamEntityKind, IamEntityRecord, IamInlinePolicyRecord, IamManagedPolicyRecord, NewIamManagedPolicy } from '../iam-records.js';
import { IAM_ENTITIES, IAM_POLICIES, listParams } from '../rows/iam-rows.js';
import { sql, type Queryable } from './pg-statement.js';

// IAM names compare and sort without regard to case: through lower(name), which the unique indexes cover.
const POLICY_COLUMNS = `p.*, (SELECT count(*) FROM iam_attachments a WHERE a.policy_id = p.id) AS attachment_count`;
/** A path prefix compared as plain text (no LIKE wildcards), case-sensitively as IAM does. */
const PATH_PREFIX = `(@pathPrefix::text IS NULL OR left(path, length(@pathPrefix)) = @pathPrefix)`;
const AFTER = `(@after::text IS NULL OR lower(name) > lower(@after))`;

const STATEMENTS = {
  findEntity: sql('SELECT * FROM iam_entities WHERE account = ? AND kind = ? AND lower(name) = lower(?)'),
  findEntityByArn: sql('SELECT * FROM iam_entities WHERE arn = ?'),
  insertEntity: sql(IAM_ENTITIES.insert()),
  updateEntity: sql(IAM_ENTITIES.update('id = @id')),
  deleteEntity: sql('DELETE FROM iam_entities WHERE id = ?'),
  listEntities: sql(`SELECT * FROM iam_entities WHERE account = @account AND kind = @kind AND ${PATH_PREFIX}
    AND ${AFTER} ORDER BY lower(name) LIMIT @limit`),

  addMember: sql('INSERT INTO iam_group_members (group_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING'),
  removeMember: sql('DELETE FROM iam_group_members WHERE group_id = ? AND user_id = ?'),
  membersOf: sql(`SELECT e.* FROM iam_group_members m JOIN iam_entities e ON e.id = m.user_id
    WHERE m.group_id = ? ORDER BY lower(e.name)`),
  groupsOf: sql(`SELECT e.* FROM iam_group_members m JOIN iam_entities e ON e.id = m.group_id
    WHERE m.user_id = ? ORDER BY lower(e.name)`),

  putInline: sql(`INSERT INTO iam_inline_policies (entity_id, name, document) VALUES (?, ?, ?)
    ON CONFLICT (entity_id, lower(name)) DO UPDATE SET document = excluded.document`),
  findInline: sql('SELECT name, document FROM iam_inline_policies WHERE entity_id = ? AND lower(name) = lower(?)'),
  listInline: sql('SELECT name, document FROM iam_inline_policies WHERE entity_id = ? ORDER BY lower(name)'),
  deleteInline: sql('DELETE FROM iam_inline_policies WHERE entity_id = ? AND lower(name) = lower(?)'),

  findPolicy: sql(`SELECT ${POLICY_COLUMNS} FROM iam_policies p WHERE arn = ?`),
  findPolicyByName: sql(`SELECT ${POLICY_COLUMNS} FROM iam_policies p WHERE account = ? AND lower(name) = lower(?)`),
  insertPolicy: sql(IAM_POLICIES.insert()),
  deletePolicy: sql('DELETE FROM iam_policies WHERE id = ?'),
  listPolicies: sql(`SELECT ${POLICY_COLUMNS} FROM iam_policies p WHERE account = @account AND ${PATH_PREFIX}
    AND ${AFTER} AND (NOT @onlyAttached::boolean OR EXISTS (SELECT 1 FROM iam_attachments a WHERE a.policy_id = p.id))
    ORDER BY lower(name) LIMIT @limit`),
  attach: sql('INSERT INTO iam_attachments (entity_id, policy_id) VALUES (?, ?) ON CONFLICT DO NOTHING'),
  detach: sql('DELETE FROM iam_attachments WHERE entity_id = ? AND policy_id = ?'),
  attachedPolicies: sql(`SELECT ${POLICY_COLUMNS} FROM iam_attachments x JOIN iam_policies p ON p.id = x.policy_id
    WHERE x.entity_id = ? ORDER BY lower(p.name)`),
  policyAttachments: sql(`SELECT e.* FROM iam_attachments x JOIN iam_entities e ON e.id = x.entity_id
    WHERE x.policy_id = ? ORDER BY e.kind, lower(e.name)`),
};

export class PgIamRepository implements IamRepository {
  constructor(private readonly db: Queryable) {}

  async findEntity(account: string, kind: IamEntityKind, name: string): Promise<IamEntityRecord | undefined> {
    return IAM_ENTITIES.readOne(await STATEMENTS.findEntity.get(this.db, [account, kind, name]));
  }

  async findEntityByArn(arn: string): Promise<IamEntityRecord | undefined> {
    return IAM_ENTITIES.readOne(await STATEMENTS.findEntityByArn.get(this.db, [arn]));
  }

  async insertEntity(entity: IamEntityRecord): Promise<void> {
    await STATEMENTS.insertEntity.run(this.db, IAM_ENTITIES.params(entity, 'postgres'));
  }

  async updateEntity(entity: IamEntityRecord): Promise<void> {
    await STATEMENTS.updateEntity.run(this.db, IAM_ENTITIES.params(entity, 'postgres'));
  }

  async deleteEntity(id: string): Promise<void> {
    await STATEMENTS.deleteEntity.run(this.db, [id]);
  }

  async listEntities(kind: IamEntityKind, query: IamListQuery): Promise<IamEntityRecord[]> {
    return IAM_ENTITIES.readAll(await STATEMENTS.listEntities.all(this.db, { ...listParams(query), kind }));
  }

  async addMember(groupId: string, userId: string): Promise<void> {
    await STATEMENTS.addMember.run(this.db, [groupId, userId]);
  }

  async removeMember(groupId: string, userId: string): Promise<boolean> {
    return (await STATEMENTS.removeMember.run(this.db, [groupId, userId])) > 0;
  }

  async membersOf(groupId: string): Promise<IamEntityRecord[]> {
    return IAM_ENTITIES.readAll(await STATEMENTS.membersOf.all(this.db, [groupId]));
  }

  async groupsOf(userId: string): Promise<IamEntityRecord[]> {
    return IAM_ENTITIES.readAll(await STATEMENTS.groupsOf.all(this.db, [userId]));
  }

  async putInlinePolicy(entityId: string, policy: IamInlinePolicyRecord): Promise<void> {
    await STATEMENTS.putInline.run(this.db, [entityId, policy.name, policy.document]);
  }

  async findInlinePolicy(entityId: string, name: string): Promise<IamInlinePolicyRecord | undefined> {
    return STATEMENTS.findInline.get<IamInlinePolicyRecord>(this.db, [entityId, name]);
  }

  async listInlinePolicies(entityId: string): Promise<IamInlinePolicyRecord[]> {
    return STATEMENTS.listInline.all<IamInlinePolicyRecord>(this.db, [entityId]);
  }

  async deleteInlinePolicy(entityId: string, name: string): Promise<boolean> {
    return (await STATEMENTS.deleteInline.run(this.db, [entityId, name])) > 0;
  }

  async findPolicy(arn: string): Promise<IamManagedPolicyRecord | undefined> {
    return IAM_POLICIES.readOne(await STATEMENTS.findPolicy.get(this.db, [arn]));
  }

  async findPolicyByName(account: string, name: string): Promise<IamManagedPolicyRecord | undefined> {
    return IAM_POLICIES.readOne(await STATEMENTS.findPolicyByName.get(this.db, [account, name]));
  }

  async insertPolicy(policy: NewIamManagedPolicy): Promise<void> {
    await STATEMENTS.insertPolicy.run(this.db, IAM_POLICIES.params(policy, 'postgres'));
  }

  async deletePolicy(id: string): Promise<void> {
    await STATEMENTS.deletePolicy.run(this.db, [id]);
  }

  async listPolicies(query: IamListQuery & { onlyAttached: boolean }): Promise<IamManagedPolicyRecord[]> {
    return IAM_POLICIES.readAll(await STATEMENTS.listPolicies.all(this.db, { ...listParams(query), onlyAttached: query.onlyAttached }));
  }

  async attachPolicy(entityId: string, policyId: string): Promise<void> {
    await STATEMENTS.attach.run(this.db, [entityId, policyId]);
  }

  async detachPolicy(entityId: string, policyId: string): Promise<boolean> {
    return (await STATEMENTS.detach.run(this.db, [entityId, policyId])) > 0;
  }

  async attachedPolicies(entityId: string): Promise<IamManagedPolicyRecord[]> {
    return IAM_POLICIES.readAll(await STATEMENTS.attachedPolicies.all(this.db, [entityId]));
  }

  async policyAttachments(policyId: string): Promise<IamEntityRecord[]> {
    return IAM_ENTITIES.readAll(await STATEMENTS.policyAttachments.all(this.db, [policyId]));
  }
}
