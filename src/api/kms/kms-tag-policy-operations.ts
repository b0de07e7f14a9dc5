import { toKmsTags } from '../../keys/key-tags.js';
import { emptyResponse, type Handlers } from '../operation.js';
import type { KmsApiDeps } from './kms-deps.js';
import { listLimit, pageOfList } from './kms-pagination.js';
import type { Operations } from './types.generated.js';

const DEFAULT_TAGS_LIMIT = 50;
const MAX_TAGS_LIMIT = 50;

/** TagResource, UntagResource, ListResourceTags, GetKeyPolicy, PutKeyPolicy, ListKeyPolicies. */
export function tagPolicyOperations({ keys, admin }: KmsApiDeps): Handlers<Operations> {
  return {
    TagResource: emptyResponse((ctx, input) => admin.tag(ctx.scope, input.KeyId, input.Tags)),
    UntagResource: emptyResponse((ctx, input) => admin.untag(ctx.scope, input.KeyId, input.TagKeys)),
    ListResourceTags: async (ctx, input) => {
      const key = await keys.resolveKeyIdOrArn(ctx.scope, input.KeyId);
      const page = pageOfList(toKmsTags(key.tags), input.Marker, listLimit(input.Limit, DEFAULT_TAGS_LIMIT, MAX_TAGS_LIMIT));
      return { Tags: page.items, Truncated: page.Truncated, NextMarker: page.NextMarker };
    },
    GetKeyPolicy: async (ctx, input) => {
      const name = input.PolicyName ?? 'default';
      return { Policy: await admin.getPolicy(ctx.scope, input.KeyId, name), PolicyName: name };
    },
    PutKeyPolicy: emptyResponse((ctx, input) => admin.putPolicy(ctx.scope, input.KeyId, input.PolicyName ?? 'default', input.Policy)),
    ListKeyPolicies: async (ctx, input) => {
      await keys.resolveKeyIdOrArn(ctx.scope, input.KeyId);
      return { PolicyNames: ['default'], Truncated: false };
    },
  };
}
