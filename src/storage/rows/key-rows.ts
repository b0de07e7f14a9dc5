import type { AliasRecord, KeyMaterialRecord, KmsKeyRecord } from '../stored-records.js';

/** KMS keys, their materials and aliases as both SQL dialects store them. */
export interface KeyRow {
  id: string;
  account: string;
  region: string;
  arn: string;
  description: string;
  key_manager: 'AWS' | 'CUSTOMER';
  state: KmsKeyRecord['state'];
  created_at: number;
  deletion_date: number | null;
  current_material: number;
  policy: string;
  tags: string;
  rotation_period_days: number | null;
  next_rotation_at: number | null;
  on_demand_rotations: number;
}

export interface MaterialRow {
  key_id: string;
  version: number;
  wrapped: Buffer;
  created_at: number;
  material_id: string;
  rotation_type: KeyMaterialRecord['rotationType'] | null;
}

export interface AliasRow {
  account: string;
  region: string;
  name: string;
  key_id: string;
  created_at: number;
  updated_at: number;
}

export function toKey(row: KeyRow): KmsKeyRecord {
  return {
    id: row.id,
    account: row.account,
    region: row.region,
    arn: row.arn,
    description: row.description,
    keyManager: row.key_manager,
    state: row.state,
    createdAt: row.created_at,
    deletionDate: row.deletion_date ?? undefined,
    currentMaterial: row.current_material,
    policy: row.policy,
    tags: JSON.parse(row.tags),
    rotationPeriodDays: row.rotation_period_days ?? undefined,
    nextRotationAt: row.next_rotation_at ?? undefined,
    onDemandRotations: row.on_demand_rotations,
  };
}

export function keyParams(key: KmsKeyRecord) {
  return {
    ...key,
    deletionDate: key.deletionDate ?? null,
    tags: JSON.stringify(key.tags),
    rotationPeriodDays: key.rotationPeriodDays ?? null,
    nextRotationAt: key.nextRotationAt ?? null,
  };
}

export function toMaterial(row: MaterialRow): KeyMaterialRecord {
  return {
    keyId: row.key_id,
    version: row.version,
    wrapped: row.wrapped,
    createdAt: row.created_at,
    materialId: row.material_id,
    ...(row.rotation_type ? { rotationType: row.rotation_type } : {}),
  };
}

export function toAlias(row: AliasRow): AliasRecord {
  return {
    account: row.account,
    region: row.region,
    name: row.name,
    keyId: row.key_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
