import { open, seal } from '../keys/aes-gcm.js';
import { canonicalContext } from '../keys/ciphertext-blob.js';
import { KmsErrors } from '../keys/kms-errors.js';
import { SecretsErrors, ServiceError } from '../errors/service-error.js';
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

  /** Seals a value; a key service failure is the EncryptionFailure AWS gives. */
  async encrypt(key: KmsKeyRecord, secretArn: string, versionId: string, type: ValueType, value: Buffer): Promise<SealedValue> {
    const context = { SecretARN: secretArn, SecretVersionId: versionId };
    let dataKey;
    try {
      dataKey = await this.keys.generateDataKey(key, context);
    } catch (error) {
      throw keyFailure('encrypt', error);
    }
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

  /** Opens a value; a key service failure, or a value altered or moved, is a DecryptionFailure. */
  async decrypt(secretArn: string, versionId: string, type: ValueType, ciphertext: Buffer, wrappedDataKey: Buffer): Promise<Buffer> {
    const context = { SecretARN: secretArn, SecretVersionId: versionId };
    let dataKey: Buffer;
    try {
      dataKey = (await this.keys.decrypt(wrappedDataKey, context)).plaintext;
    } catch (error) {
      throw keyFailure('decrypt', error);
    }
    try {
      if (ciphertext[0] !== VALUE_FORMAT) throw new Error('unknown value format');
      return open(dataKey, ciphertext.subarray(1), valueAad(context, type));
    } catch {
      // A value that does not authenticate under its row's context was altered or moved.
      throw keyFailure('decrypt', KmsErrors.invalidCiphertext());
    } finally {
      dataKey.fill(0);
    }
  }
}

/** Maps a key service failure to the Secrets Manager error AWS gives for it. */
export function keyFailure(kind: 'encrypt' | 'decrypt', error: unknown): ServiceError {
  if (!(error instanceof ServiceError)) throw error;
  const reason = error.message ? ` ${error.message}` : '';
  return kind === 'encrypt'
    ? SecretsErrors.encryptionFailure(`Secrets Manager can't encrypt the protected secret text using the provided KMS key.${reason}`)
    : SecretsErrors.decryptionFailure(`Secrets Manager can't decrypt the protected secret text using the provided KMS key.${reason}`);
}

function valueAad(context: Record<string, string>, type: ValueType): Buffer {
  return Buffer.concat([canonicalContext(context), Buffer.from(type)]);
}
