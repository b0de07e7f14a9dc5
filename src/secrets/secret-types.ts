import type { Tag } from '../storage/index.js';

/** A value as a request gives it: exactly one of the two. */
export interface SecretValueInput {
  SecretString?: string;
  SecretBinary?: Buffer;
}

export interface CreateSecretInput extends SecretValueInput {
  Name: string;
  ClientRequestToken?: string;
  Description?: string;
  KmsKeyId?: string;
  Tags?: Tag[];
  AddReplicaRegions?: { Region: string; KmsKeyId?: string }[];
  ForceOverwriteReplicaSecret?: boolean;
}

export interface PutSecretValueInput extends SecretValueInput {
  SecretId: string;
  ClientRequestToken?: string;
  VersionStages?: string[];
  RotationToken?: string;
}

export interface UpdateSecretInput extends SecretValueInput {
  SecretId: string;
  ClientRequestToken?: string;
  Description?: string;
  KmsKeyId?: string;
}

export interface SecretValueOutput {
  ARN: string;
  Name: string;
  VersionId: string;
  SecretString?: string;
  SecretBinary?: Buffer;
  VersionStages: string[];
  CreatedDate: number;
}
