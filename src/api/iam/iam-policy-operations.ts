import { emptyResponse, type OperationHandler } from '../operation.js';
import { encodedDocument } from '../../iam/directory/iam-documents.js';
import type { IamEntityKind, Tag } from '../../storage/index.js';
import type { IamApiDeps } from './iam-deps.js';
import { iamScope, KIND_TITLE, KINDS, listQuery, paging, policyShape, seconds } from './iam-shapes.js';

/**
 * Inline policies (Put/Get/List/Delete<Kind>Policy) and managed policy attachments
 * (Attach/Detach<Kind>Policy, ListAttached<Kind>Policies) of users, groups and roles alike.
 */
export function entityPolicyOperations({ directory }: IamApiDeps): Record<string, OperationHandler> {
  const { inlinePolicies, managedPolicies } = directory;
  const handlers: Record<string, OperationHandler> = {};
  for (const kind of KINDS) {
    const title = KIND_TITLE[kind];
    const entityName = (input: Record<string, unknown>) => input[`${title}Name`] as string;
    Object.assign(handlers, {
      [`Put${title}Policy`]: emptyResponse((ctx, input) =>
        inlinePolicies.put(iamScope(ctx), kind, entityName(input), input.PolicyName as string, input.PolicyDocument as string),
      ),
      [`Get${title}Policy`]: async (ctx, input) => {
        const policy = await inlinePolicies.get(iamScope(ctx), kind, entityName(input), input.PolicyName as string);
        return { [`${title}Name`]: policy.entityName, PolicyName: policy.name, PolicyDocument: encodedDocument(policy.document) };
      },
      [`List${title}Policies`]: async (ctx, input) => {
        const page = await inlinePolicies.names(iamScope(ctx), kind, entityName(input), listQuery(input));
        return { PolicyNames: page.items, ...paging(page) };
      },
      [`Delete${title}Policy`]: emptyResponse((ctx, input) =>
        inlinePolicies.delete(iamScope(ctx), kind, entityName(input), input.PolicyName as string),
      ),
      [`Attach${title}Policy`]: emptyResponse((ctx, input) =>
        managedPolicies.attach(iamScope(ctx), kind, entityName(input), input.PolicyArn as string),
      ),
      [`Detach${title}Policy`]: emptyResponse((ctx, input) =>
        managedPolicies.detach(iamScope(ctx), kind, entityName(input), input.PolicyArn as string),
      ),
      [`ListAttached${title}Policies`]: async (ctx, input) => {
        const page = await managedPolicies.attachedTo(iamScope(ctx), kind, entityName(input), listQuery(input));
        return { AttachedPolicies: page.items.map((p) => ({ PolicyName: p.name, PolicyArn: p.arn })), ...paging(page) };
      },
    } satisfies Record<string, OperationHandler>);
  }
  return handlers;
}

const ENTITY_FILTERS: Record<string, IamEntityKind> = { User: 'user', Group: 'group', Role: 'role' };

/** CreatePolicy, GetPolicy, GetPolicyVersion, ListPolicies, DeletePolicy, ListEntitiesForPolicy. */
export function managedPolicyOperations({ directory }: IamApiDeps): Record<string, OperationHandler> {
  const { managedPolicies } = directory;
  return {
    CreatePolicy: async (ctx, input) => ({
      Policy: policyShape(
        await managedPolicies.create(iamScope(ctx), {
          name: input.PolicyName as string,
          path: input.Path as string | undefined,
          document: input.PolicyDocument as string,
          description: input.Description as string | undefined,
          tags: input.Tags as Tag[] | undefined,
        }),
      ),
    }),
    GetPolicy: async (_ctx, input) => ({ Policy: policyShape(await managedPolicies.get(input.PolicyArn as string), { description: true }) }),
    GetPolicyVersion: async (_ctx, input) => {
      const policy = await managedPolicies.version(input.PolicyArn as string, input.VersionId as string);
      return {
        PolicyVersion: {
          Document: encodedDocument(policy.document),
          VersionId: policy.defaultVersionId,
          IsDefaultVersion: true,
          CreateDate: seconds(policy.createdAt),
        },
      };
    },
    ListPolicies: async (ctx, input) => {
      // Coffer holds no AWS managed policies: Scope=AWS lists none.
      if (input.Scope === 'AWS') return { Policies: [], IsTruncated: false };
      const page = await managedPolicies.list(iamScope(ctx), { ...listQuery(input), OnlyAttached: input.OnlyAttached as boolean | undefined });
      return { Policies: page.items.map((p) => policyShape(p)), ...paging(page) };
    },
    DeletePolicy: emptyResponse((_ctx, input) => managedPolicies.delete(input.PolicyArn as string)),
    ListEntitiesForPolicy: async (_ctx, input) => {
      const filter = input.EntityFilter as string | undefined;
      const kind = filter === undefined ? undefined : ENTITY_FILTERS[filter];
      const page =
        filter !== undefined && kind === undefined
          ? { items: [], IsTruncated: false }
          : await managedPolicies.entities(input.PolicyArn as string, { ...listQuery(input), kind });
      const of = (k: IamEntityKind) => page.items.filter((e) => e.kind === k).map((e) => ({ [`${KIND_TITLE[k]}Name`]: e.name, [`${KIND_TITLE[k]}Id`]: e.id }));
      return { PolicyGroups: of('group'), PolicyUsers: of('user'), PolicyRoles: of('role'), ...paging(page) };
    },
  };
}
