import type { RotationFunctionRecord } from '../stored-records.js';

/** Rotation functions as both SQL dialects store them. */
export interface FunctionRow {
  account: string;
  region: string;
  name: string;
  arn: string;
  kind: string;
  url: string | null;
  command: string | null;
  timeout_seconds: number;
  sealed_signing_key: Buffer | null;
  role_arn: string | null;
  created_at: number;
  updated_at: number;
}

export function toFunction(row: FunctionRow): RotationFunctionRecord {
  return {
    account: row.account,
    region: row.region,
    name: row.name,
    arn: row.arn,
    kind: row.kind,
    url: row.url ?? undefined,
    command: row.command ?? undefined,
    timeoutSeconds: row.timeout_seconds,
    sealedSigningKey: row.sealed_signing_key ?? undefined,
    roleArn: row.role_arn ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function functionParams(fn: RotationFunctionRecord) {
  return { ...fn, url: fn.url ?? null, command: fn.command ?? null, sealedSigningKey: fn.sealedSigningKey ?? null, roleArn: fn.roleArn ?? null };
}
