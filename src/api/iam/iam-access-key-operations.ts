import { emptyResponse, type Handlers, type RequestContext } from '../operation.js';
import type { KeyOwner } from '../../iam/directory/iam-access-keys.js';
import type { AccessKeyRecord } from '../../storage/index.js';
import { seconds } from '../epoch-seconds.js';
import type { IamApiDeps } from './iam-deps.js';
import { iamScope } from './iam-requests.js';
import type { AccessKey, Operations } from './types.generated.js';

/** CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey: without UserName, the caller's own keys. */
export function accessKeyOperations({ directory }: IamApiDeps): Handlers<Operations> {
  const keys = directory.accessKeys;
  const ownerOf = (ctx: RequestContext, input: { UserName?: string }): Promise<KeyOwner> => keys.owner(iamScope(ctx), input.UserName, ctx.principalArn);
  const userName = (owner: KeyOwner) => (owner.userName === undefined ? {} : { UserName: owner.userName });
  return {
    CreateAccessKey: async (ctx, input) => {
      const owner = await ownerOf(ctx, input);
      const { accessKeyId, secretAccessKey } = await keys.create(iamScope(ctx), owner);
      const accessKey = { ...userName(owner), AccessKeyId: accessKeyId, Status: 'Active', SecretAccessKey: secretAccessKey, CreateDate: seconds(ctx.scope.now) };
      // The root user's keys have no UserName, which the model requires of an AccessKey.
      return { AccessKey: accessKey as AccessKey };
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
      // The model's statusType also has Expired, which is stored as given (and, like Inactive, refuses the key).
      keys.setStatus(await ownerOf(ctx, input), input.AccessKeyId, input.Status as AccessKeyRecord['status']),
    ),
    DeleteAccessKey: emptyResponse(async (ctx, input) => keys.delete(await ownerOf(ctx, input), input.AccessKeyId)),
  };
}
