import { emptyResponse, type OperationHandler, type RequestContext } from '../operation.js';
import type { KeyOwner } from '../../iam/directory/iam-access-keys.js';
import type { AccessKeyRecord } from '../../storage/index.js';
import type { IamApiDeps } from './iam-deps.js';
import { iamScope, seconds } from './iam-shapes.js';

/** CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey: without UserName, the caller's own keys. */
export function accessKeyOperations({ directory }: IamApiDeps): Record<string, OperationHandler> {
  const keys = directory.accessKeys;
  const ownerOf = (ctx: RequestContext, input: Record<string, unknown>): Promise<KeyOwner> =>
    keys.owner(iamScope(ctx), input.UserName as string | undefined, ctx.principalArn);
  const userName = (owner: KeyOwner) => (owner.userName === undefined ? {} : { UserName: owner.userName });
  return {
    CreateAccessKey: async (ctx, input) => {
      const owner = await ownerOf(ctx, input);
      const { accessKeyId, secretAccessKey } = await keys.create(iamScope(ctx), owner);
      return {
        AccessKey: {
          ...userName(owner),
          AccessKeyId: accessKeyId,
          Status: 'Active',
          SecretAccessKey: secretAccessKey,
          CreateDate: seconds(ctx.scope.now),
        },
      };
    },
    ListAccessKeys: async (ctx, input) => {
      const owner = await ownerOf(ctx, input);
      const list = await keys.list(owner);
      return {
        AccessKeyMetadata: list.map((k: AccessKeyRecord) => ({
          ...userName(owner),
          AccessKeyId: k.accessKeyId,
          Status: k.status,
          CreateDate: seconds(k.createdAt),
        })),
        IsTruncated: false,
      };
    },
    UpdateAccessKey: emptyResponse(async (ctx, input) =>
      keys.setStatus(await ownerOf(ctx, input), input.AccessKeyId as string, input.Status as AccessKeyRecord['status']),
    ),
    DeleteAccessKey: emptyResponse(async (ctx, input) => keys.delete(await ownerOf(ctx, input), input.AccessKeyId as string)),
  };
}
