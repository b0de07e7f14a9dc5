import { tagMap, type ContextValue } from '../../iam/policy/index.js';
import { withRequestTags } from '../request-tags.js';
import { aliasArn } from '../../keys/key-admin.js';
import { decodeBlob } from '../../keys/ciphertext-blob.js';
import type { KmsKeyRecord } from '../../storage/index.js';
import { effectiveKeyPolicy } from '../../keys/key-policy.js';
import type { AnyRequest, Authorization, RequestContext, RequestTarget } from '../operation.js';
import type { KmsApiDeps } from './kms-deps.js';
import type { Operations } from './types.generated.js';

/** A KMS request, of whichever operation. */
type KmsRequest = AnyRequest<Operations>;

/** Operations on no particular key: authorized on `*` (IAM policies only). */
const ACCOUNT_OPERATIONS = new Set(['CreateKey', 'ListKeys', 'ListAliases', 'GenerateRandom']);

/**
 * What each KMS request is authorized against: the key it uses, whose key policy
 * must allow it (the default policy delegates to IAM), with the kms: condition keys
 * of the request. Alias operations also need IAM permission on the alias.
 */
export function kmsAuthorization({ keys }: KmsApiDeps): Authorization<KmsRequest, keyof Operations> {
  const onKey = async (ctx: RequestContext, ref: string, input: KmsRequest, action?: string): Promise<RequestTarget> =>
    keyTarget(await keys.resolveKey(ctx.scope, ref), ctx, input, action);
  const onAlias = (ctx: RequestContext, aliasName: string): RequestTarget => ({ resource: aliasArn(ctx.scope, aliasName) });
  /** The key a ciphertext names (Decrypt and ReEncrypt may omit KeyId); none for a blob that is not one. */
  const blobKey = (input: KmsRequest, keyId: string | undefined): string | undefined =>
    keyId ?? decodeBlob(Buffer.from(input.CiphertextBlob ?? '', 'base64'))?.header.keyId;

  return async (ctx, operation, input) => {
    if (ACCOUNT_OPERATIONS.has(operation)) return operation === 'CreateKey' ? [{ resource: '*', ...withRequestTags({}, kmsTags(input)) }] : undefined;
    switch (operation) {
      case 'CreateAlias':
      case 'UpdateAlias':
        return [onAlias(ctx, input.AliasName!), await onKey(ctx, input.TargetKeyId!, input)];
      case 'DeleteAlias':
        return [onAlias(ctx, input.AliasName!), await onKey(ctx, input.AliasName!, input)];
      case 'Decrypt': {
        const source = blobKey(input, input.KeyId);
        return source === undefined ? [] : [await onKey(ctx, source, input)];
      }
      case 'ReEncrypt': {
        const source = blobKey(input, input.SourceKeyId);
        const from = source === undefined ? [] : [await onKey(ctx, source, { EncryptionContext: input.SourceEncryptionContext }, 'kms:ReEncryptFrom')];
        return [...from, await onKey(ctx, input.DestinationKeyId!, { EncryptionContext: input.DestinationEncryptionContext }, 'kms:ReEncryptTo')];
      }
    }
    return input.KeyId === undefined ? undefined : [await onKey(ctx, input.KeyId, input)];
  };
}

/** A request on a key: its key policy decides, with the request's encryption context and tags as condition keys. */
export function keyTarget(key: KmsKeyRecord, ctx: RequestContext, input: KmsRequest, action?: string): RequestTarget {
  const context: Record<string, ContextValue> = { 'kms:CallerAccount': ctx.scope.account };
  const encryptionContext = input.EncryptionContext;
  if (encryptionContext) {
    for (const name in encryptionContext) context[`kms:EncryptionContext:${name}`] = encryptionContext[name]!;
    context['kms:EncryptionContextKeys'] = Object.keys(encryptionContext);
  }
  return {
    ...(action ? { action } : {}),
    resource: key.arn,
    resourcePolicy: effectiveKeyPolicy(key),
    resourcePolicyRequired: true,
    resourceTags: tagMap(key.tags),
    ...withRequestTags(context, kmsTags(input), input.TagKeys),
  };
}

/** A request's KMS tags ({TagKey, TagValue}) in the Key/Value form policies read. */
function kmsTags(input: KmsRequest): { Key: string; Value: string }[] | undefined {
  return input.Tags?.map((t) => ({ Key: t.TagKey, Value: t.TagValue }));
}
