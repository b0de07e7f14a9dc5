import { toKmsTags, type KmsTag } from '../../keys/key-tags.js';
import { emptyResponse, type OperationHandler } from '../operation.js';
import type { KmsApiDeps } from './kms-deps.js';
import { listLimit, pageOfList } from './kms-pagination.js';

const DEFAULT_TAGS_LIMIT = 50;
const MAX_TAGS_LIMIT = 50;

/** TagResource, UntagResource, ListResourceTags, GetKeyPolicy, PutKeyPolicy, ListKeyPolicies. */
export function tagPolicyOperations({ keys, admin }: KmsApiDeps): Record<string, OperationHandler> {
  return {
    TagResource: emptyResponse((ctx, input) => admin.tag(ctx.scope, input.KeyId as string, input.Tags as KmsTag[])),
    UntagResource: emptyResponse((ctx, input) => admin.untag(ctx.scope, input.KeyId as string, input.TagKeys as string[])),
    ListResourceTags: async (ctx, input) => {
      const key = await keys.resolveKeyIdOrArn(ctx.scope, input.KeyId as string);
      const page = pageOfList(toKmsTags(key.tags), input.Marker as string | undefined, listLimit(input.Limit, DEFAULT_TAGS_LIMIT, MAX_TAGS_LIMIT));
      return { Tags: page.items, Truncated: page.Truncated, NextMarker: page.NextMarker };
    },
    GetKeyPolicy: async (ctx, input) => {
      const name = (input.PolicyName as string | undefined) ?? 'default';
      return { Policy: await admin.getPolicy(ctx.scope, input.KeyId as string, name), PolicyName: name };
    },
    PutKeyPolicy: emptyResponse((ctx, input) => admin.putPolicy(ctx.scope, input.KeyId as string, (input.PolicyName as string | undefined) ?? 'default', input.Policy as string)),
    ListKeyPolicies: async (ctx, input) => {
      await keys.resolveKeyIdOrArn(ctx.scope, input.KeyId as string);
      return { PolicyNames: ['default'], Truncated: false };
    },
  };
}
