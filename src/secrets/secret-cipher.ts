import { open, seal } from '../keys/aes-gcm.js';
import { canonicalContext } from '../keys/ciphertext-blob.js';
import { KmsErrors } from '../keys/kms-errors.js';
import type { KeyService } from '../keys/key-service.js';
import type { KmsKeyRecord, Repositories, ValueType } from '../storage/index.js';

/** Version format of the value ciphertext: format (1 byte) | iv | tag | ciphertext. */
const VALUE_FORMAT = 1;

export interface SealedValue {
  ciphertext: Buffer;
  wrappedDataKey: Buffer;
}

/**
 * Envelope encryption of one secret version: a fresh AES-256 data key, wrapped
 * by the secret's KMS key under the context {SecretARN, SecretVersionId}; the
 * same context (and the value's type) is the AAD of the value itself, so a
 * ciphertext moved to another row does not decrypt.
 */
export class SecretCipher {
  constructor(private readonly keys: KeyService) {}

  /** This cipher with the key service reading through a unit of work's repositories. */
  within(repos: Repositories): SecretCipher {
    return new SecretCipher(this.keys.within(repos));
  }

  async encrypt(key: KmsKeyRecord, secretArn: string, versionId: string, type: ValueType, value: Buffer): Promise<SealedValue> {
    const context = { SecretARN: secretArn, SecretVersionId: versionId };
    const dataKey = await this.keys.generateDataKey(key, context);
    try {
      const body = seal(dataKey.plaintext, value, valueAad(context, type));
      return {
        ciphertext: Buffer.concat([Buffer.of(VALUE_FORMAT), body]),
        wrappedDataKey: dataKey.ciphertextBlob,
      };
    } finally {
      dataKey.plaintext.fill(0);
    }
  }

  async decrypt(secretArn: string, versionId: string, type: ValueType, ciphertext: Buffer, wrappedDataKey: Buffer): Promise<Buffer> {
    const context = { SecretARN: secretArn, SecretVersionId: versionId };
    const { plaintext: dataKey } = await this.keys.decrypt(wrappedDataKey, context);
    try {
      if (ciphertext[0] !== VALUE_FORMAT) throw KmsErrors.invalidCiphertext();
      try {
        return open(dataKey, ciphertext.subarray(1), valueAad(context, type));
      } catch {
        // A value that does not authenticate under its row's context was altered or moved.
        throw KmsErrors.invalidCiphertext();
      }
    } finally {
      dataKey.fill(0);
    }
  }
}

function valueAad(context: Record<string, string>, type: ValueType): Buffer {
  return Buffer.concat([canonicalContext(context), Buffer.from(type)]);
}
