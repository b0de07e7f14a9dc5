import type { KmsKeyRecord } from '../../storage/index.js';
import { emptyResponse, type Handlers } from '../operation.js';
import type { KmsApiDeps } from './kms-deps.js';
import { decodeMarker, pageOf } from './kms-pagination.js';
import { keyMetadata } from './kms-responses.js';
import type { Operations } from './types.generated.js';

const DEFAULT_LIST_KEYS_LIMIT = 100;

/** CreateKey, DescribeKey, ListKeys, UpdateKeyDescription, EnableKey, DisableKey. */
export function keyOperations({ keys, admin }: KmsApiDeps): Handlers<Operations> {
  const describe = async (key: KmsKeyRecord) => ({ KeyMetadata: keyMetadata(key, await keys.currentMaterialId(key)) });
  return {
    CreateKey: async (ctx, input) => describe(await admin.createKey(ctx.scope, input)),
    // DescribeKey takes every form of key reference, and creates a predefined AWS-managed key on first sight.
    DescribeKey: async (ctx, input) => describe(await keys.resolveKey(ctx.scope, input.KeyId)),
    ListKeys: async (ctx, input) => {
      const limit = input.Limit ?? DEFAULT_LIST_KEYS_LIMIT;
      const rows = await admin.listKeys(ctx.scope, decodeMarker(input.Marker), limit + 1);
      const page = pageOf(rows, limit, (k) => k.id);
      return { Keys: page.items.map((k) => ({ KeyId: k.id, KeyArn: k.arn })), Truncated: page.Truncated, NextMarker: page.NextMarker };
    },
    UpdateKeyDescription: emptyResponse((ctx, input) => admin.updateDescription(ctx.scope, input.KeyId, input.Description)),
    EnableKey: emptyResponse((ctx, input) => admin.enable(ctx.scope, input.KeyId)),
    DisableKey: emptyResponse((ctx, input) => admin.disable(ctx.scope, input.KeyId)),
  };
}
