import { aliasArn } from '../../keys/key-admin.js';
import type { AliasRecord, KmsKeyRecord } from '../../storage/index.js';
import { seconds } from '../epoch-seconds.js';
import type { AliasListEntry, KeyMetadata } from './types.generated.js';

/** KeyMetadata as KMS returns it for a symmetric encryption key. */
export function keyMetadata(key: KmsKeyRecord, currentMaterialId: string): KeyMetadata {
  return {
    AWSAccountId: key.account,
    KeyId: key.id,
    Arn: key.arn,
    CreationDate: seconds(key.createdAt),
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: key.state,
    DeletionDate: seconds(key.deletionDate),
    Origin: 'AWS_KMS',
    KeyManager: key.keyManager,
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
    CurrentKeyMaterialId: currentMaterialId,
  };
}

export function aliasEntry(scope: { partition: string; region: string; account: string }, alias: AliasRecord): AliasListEntry {
  return {
    AliasName: alias.name,
    AliasArn: aliasArn(scope, alias.name),
    TargetKeyId: alias.keyId,
    CreationDate: seconds(alias.createdAt),
    LastUpdatedDate: seconds(alias.updatedAt),
  };
}
