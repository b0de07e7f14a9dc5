import type { Shape } from '../model-types.js';
import type { SealStatus } from '../../keys/root-key-manager.js';
import type { ProviderKind } from '../../keys/root-key-providers.js';
import type { FileAnswer } from '../file-answer.js';

/**
 * Coffer's own operator API, in the AWS JSON 1.1 style of the others:
 * `X-Amz-Target: CofferOperator.<Operation>`, SigV4 service name `coffer`.
 */
export const targetPrefix = 'CofferOperator';
export const signingName = 'coffer';

export const operations: Record<string, { input?: string }> = {
  GetSealStatus: { input: 'Empty' },
  Initialize: { input: 'InitializeRequest' },
  Unseal: { input: 'UnsealRequest' },
  Seal: { input: 'Empty' },
  RotateRootKey: { input: 'RotateRootKeyRequest' },
  /** Answered with the backup file itself (application/octet-stream), not JSON. */
  CreateBackup: { input: 'Empty' },
};

export const shapes: Record<string, Shape> = {
  Empty: { type: 'structure', members: {} },
  InitializeRequest: { type: 'structure', members: { Shares: 'ShareCount', Threshold: 'ShareCount' }, required: ['Shares', 'Threshold'] },
  UnsealRequest: { type: 'structure', members: { Share: 'ShareText', Passphrase: 'Passphrase', Nonce: 'Text' } },
  RotateRootKeyRequest: {
    type: 'structure',
    members: {
      Provider: 'ProviderKind',
      Passphrase: 'Passphrase',
      KmsKeyId: 'Text',
      KmsEndpoint: 'Text',
      KmsRegion: 'Text',
      Shares: 'ShareCount',
      Threshold: 'ShareCount',
    },
  },
  ShareCount: { type: 'integer', min: 1, max: 255 },
  ShareText: { type: 'string', min: 1, max: 200 },
  ProviderKind: { type: 'string', enum: ['file', 'passphrase', 'kms', 'shamir'] },
  Passphrase: { type: 'string', min: 1, max: 1024 },
  Text: { type: 'string', min: 1, max: 2048 },
};

/** The types of each operation's request and response, as the shapes above and the handlers make them. */
export interface Operations {
  GetSealStatus: { input: object; output: SealStatus };
  Initialize: { input: InitializeRequest; output: { Shares: string[] } };
  Unseal: { input: UnsealRequest; output: SealStatus };
  Seal: { input: object; output: SealStatus };
  RotateRootKey: { input: RotateRootKeyRequest; output: { Provider: ProviderKind; Shares?: string[] } };
  CreateBackup: { input: object; output: FileAnswer };
}

export interface InitializeRequest {
  Shares: number;
  Threshold: number;
}

export interface UnsealRequest {
  Share?: string;
  Passphrase?: string;
  Nonce?: string;
}

export interface RotateRootKeyRequest {
  Provider?: ProviderKind;
  Passphrase?: string;
  KmsKeyId?: string;
  KmsEndpoint?: string;
  KmsRegion?: string;
  Shares?: number;
  Threshold?: number;
}
