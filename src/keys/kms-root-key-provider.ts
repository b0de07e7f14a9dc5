import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { RootKey } from './root-key.js';
import type { RootKeyProvider } from './root-key-providers.js';

export interface KmsProviderOptions {
  keyId: string;
  /** An AWS-KMS-compatible endpoint; AWS KMS itself when absent. */
  endpoint?: string;
  region?: string;
}

/** Binds the stored blob to its use: the external KMS refuses to open it for anything else. */
const ENCRYPTION_CONTEXT = { purpose: 'coffer-root-key' };

/**
 * The root key is a data key of an external KMS (AWS KMS, or another Coffer):
 * the data directory holds it only wrapped by that KMS key, and every start
 * asks the KMS to unwrap it. Credentials come from the standard AWS chain.
 */
export class KmsRootKeyProvider implements RootKeyProvider {
  readonly kind = 'kms';
  readonly stateFile = 'root-key.kms';

  constructor(private readonly options: KmsProviderOptions) {}

  get description(): string {
    return `KMS key ${this.options.keyId}${this.options.endpoint ? ` at ${this.options.endpoint}` : ''}`;
  }

  async create(): Promise<{ key: RootKey; state: string }> {
    const out = await this.call((kms) =>
      kms.send(new GenerateDataKeyCommand({ KeyId: this.options.keyId, KeySpec: 'AES_256', EncryptionContext: ENCRYPTION_CONTEXT })),
    );
    const state = JSON.stringify({ keyId: out.KeyId, ciphertextBlob: Buffer.from(out.CiphertextBlob!).toString('base64') });
    return { key: new RootKey(Buffer.from(out.Plaintext!)), state };
  }

  async open(state: string): Promise<RootKey> {
    const { keyId, ciphertextBlob } = JSON.parse(state) as { keyId: string; ciphertextBlob: string };
    const out = await this.call((kms) =>
      kms.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: Buffer.from(ciphertextBlob, 'base64'), EncryptionContext: ENCRYPTION_CONTEXT })),
    );
    return new RootKey(Buffer.from(out.Plaintext!));
  }

  private async call<T>(work: (kms: KMSClient) => Promise<T>): Promise<T> {
    const kms = new KMSClient({ endpoint: this.options.endpoint, region: this.options.region });
    try {
      return await work(kms);
    } catch (error) {
      const e = error as { name?: string; message?: string };
      throw new Error(`the root key's KMS (${this.description}) refused: ${e.name}: ${e.message}`);
    } finally {
      kms.destroy();
    }
  }
}
