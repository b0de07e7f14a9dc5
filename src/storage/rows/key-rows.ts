import type { AliasRecord, KeyMaterialRecord, KeyState, KmsKeyRecord, Tag } from '../stored-records.js';
import { bytes, fixed, integer, json, optional, table, text, time } from './table.js';

export const KMS_KEYS = table<KmsKeyRecord>('kms_keys', {
  id: fixed(text('id')),
  account: fixed(text('account')),
  region: fixed(text('region')),
  arn: fixed(text('arn')),
  description: text('description'),
  keyManager: fixed(text<KmsKeyRecord['keyManager']>('key_manager')),
  state: text<KeyState>('state'),
  createdAt: fixed(time('created_at')),
  deletionDate: optional(time('deletion_date')),
  currentMaterial: integer('current_material'),
  policy: text('policy'),
  tags: json<Tag[]>('tags'),
  rotationPeriodDays: optional(integer('rotation_period_days')),
  nextRotationAt: optional(time('next_rotation_at')),
  onDemandRotations: integer('on_demand_rotations'),
});

/** A key's materials: only rewrapping changes one, through a statement of its own. */
export const KEY_MATERIALS = table<KeyMaterialRecord>('kms_key_materials', {
  keyId: text('key_id'),
  version: integer('version'),
  wrapped: bytes('wrapped'),
  createdAt: time('created_at'),
  materialId: text('material_id'),
  rotationType: optional(text<NonNullable<KeyMaterialRecord['rotationType']>>('rotation_type')),
});

export const KMS_ALIASES = table<AliasRecord>('kms_aliases', {
  account: fixed(text('account')),
  region: fixed(text('region')),
  name: fixed(text('name')),
  keyId: text('key_id'),
  createdAt: fixed(time('created_at')),
  updatedAt: time('updated_at'),
});
