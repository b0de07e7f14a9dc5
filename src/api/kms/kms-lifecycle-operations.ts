import { DAY_MS } from '../../shared/days.js';
import { emptyResponse, type Handlers } from '../operation.js';
import { seconds } from '../epoch-seconds.js';
import type { KmsApiDeps } from './kms-deps.js';
import { pageOfList } from './kms-pagination.js';
import type { Operations, RotationsListEntry } from './types.generated.js';

const DEFAULT_ROTATIONS_LIMIT = 100;

/** Deletion and rotation: ScheduleKeyDeletion, CancelKeyDeletion and the key rotation operations. */
export function lifecycleOperations({ keys, admin }: KmsApiDeps): Handlers<Operations> {
  return {
    ScheduleKeyDeletion: async (ctx, input) => {
      const key = await admin.scheduleDeletion(ctx.scope, input.KeyId, input.PendingWindowInDays);
      return {
        KeyId: key.arn,
        DeletionDate: seconds(key.deletionDate),
        KeyState: key.state,
        PendingWindowInDays: Math.round((key.deletionDate! - ctx.scope.now) / DAY_MS),
      };
    },
    CancelKeyDeletion: async (ctx, input) => ({ KeyId: (await admin.cancelDeletion(ctx.scope, input.KeyId)).arn }),
    EnableKeyRotation: emptyResponse((ctx, input) => admin.enableRotation(ctx.scope, input.KeyId, input.RotationPeriodInDays)),
    DisableKeyRotation: emptyResponse((ctx, input) => admin.disableRotation(ctx.scope, input.KeyId)),
    GetKeyRotationStatus: async (ctx, input) => {
      const key = await keys.resolveKeyIdOrArn(ctx.scope, input.KeyId);
      if (key.keyManager === 'AWS') {
        // AWS rotates its managed keys every year, always.
        const yearsSinceCreation = Math.floor((ctx.scope.now - key.createdAt) / (365 * DAY_MS)) + 1;
        return {
          KeyId: key.arn,
          KeyRotationEnabled: true,
          RotationPeriodInDays: 365,
          NextRotationDate: seconds(key.createdAt + yearsSinceCreation * 365 * DAY_MS),
        };
      }
      // While a key waits for deletion its rotation reads as off; cancelling restores it.
      const enabled = key.rotationPeriodDays !== undefined && key.state !== 'PendingDeletion';
      return {
        KeyId: key.arn,
        KeyRotationEnabled: enabled,
        RotationPeriodInDays: enabled ? key.rotationPeriodDays : undefined,
        NextRotationDate: enabled ? seconds(key.nextRotationAt) : undefined,
      };
    },
    RotateKeyOnDemand: async (ctx, input) => ({ KeyId: (await admin.rotateOnDemand(ctx.scope, input.KeyId)).arn }),
    ListKeyRotations: async (ctx, input) => {
      const key = await keys.resolveKeyIdOrArn(ctx.scope, input.KeyId);
      const all = input.IncludeKeyMaterial === 'ALL_KEY_MATERIAL';
      const rotations = (await admin.materials(key))
        .filter((m) => all || m.rotationType !== undefined)
        .map((m): RotationsListEntry => ({
          KeyId: key.id,
          KeyMaterialId: m.materialId,
          KeyMaterialState: m.version === key.currentMaterial ? 'CURRENT' : 'NON_CURRENT',
          RotationDate: m.rotationType ? seconds(m.createdAt) : undefined,
          RotationType: m.rotationType,
        }));
      const page = pageOfList(rotations, input.Marker, input.Limit ?? DEFAULT_ROTATIONS_LIMIT);
      return { Rotations: page.items, Truncated: page.Truncated, NextMarker: page.NextMarker };
    },
  };
}
