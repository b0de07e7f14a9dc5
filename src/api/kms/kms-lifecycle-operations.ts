import { DAY_MS } from '../../shared/days.js';
import { emptyResponse, type OperationHandler } from '../operation.js';
import { seconds } from '../secretsmanager/secret-shapes.js';
import type { KmsApiDeps } from './kms-deps.js';
import { pageOfList } from './kms-pagination.js';

const DEFAULT_ROTATIONS_LIMIT = 100;

/** Deletion and rotation: ScheduleKeyDeletion, CancelKeyDeletion and the key rotation operations. */
export function lifecycleOperations({ keys, admin }: KmsApiDeps): Record<string, OperationHandler> {
  return {
    ScheduleKeyDeletion: async (ctx, input) => {
      const key = await admin.scheduleDeletion(ctx.scope, input.KeyId as string, input.PendingWindowInDays as number | undefined);
      return {
        KeyId: key.arn,
        DeletionDate: seconds(key.deletionDate),
        KeyState: key.state,
        PendingWindowInDays: Math.round((key.deletionDate! - ctx.scope.now) / DAY_MS),
      };
    },
    CancelKeyDeletion: async (ctx, input) => ({ KeyId: (await admin.cancelDeletion(ctx.scope, input.KeyId as string)).arn }),
    EnableKeyRotation: emptyResponse((ctx, input) => admin.enableRotation(ctx.scope, input.KeyId as string, input.RotationPeriodInDays as number | undefined)),
    DisableKeyRotation: emptyResponse((ctx, input) => admin.disableRotation(ctx.scope, input.KeyId as string)),
    GetKeyRotationStatus: async (ctx, input) => {
      const key = await keys.resolveKeyIdOrArn(ctx.scope, input.KeyId as string);
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
    RotateKeyOnDemand: async (ctx, input) => ({ KeyId: (await admin.rotateOnDemand(ctx.scope, input.KeyId as string)).arn }),
    ListKeyRotations: async (ctx, input) => {
      const key = await keys.resolveKeyIdOrArn(ctx.scope, input.KeyId as string);
      const all = input.IncludeKeyMaterial === 'ALL_KEY_MATERIAL';
      const rotations = (await admin.materials(key))
        .filter((m) => all || m.rotationType !== undefined)
        .map((m) => ({
          KeyId: key.id,
          KeyMaterialId: m.materialId,
          KeyMaterialState: m.version === key.currentMaterial ? 'CURRENT' : 'NON_CURRENT',
          RotationDate: m.rotationType ? seconds(m.createdAt) : undefined,
          RotationType: m.rotationType,
        }));
      const page = pageOfList(rotations, input.Marker as string | undefined, (input.Limit as number | undefined) ?? DEFAULT_ROTATIONS_LIMIT);
      return { Rotations: page.items, Truncated: page.Truncated, NextMarker: page.NextMarker };
    },
  };
}
