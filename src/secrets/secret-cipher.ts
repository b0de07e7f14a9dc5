import { open, seal } from '../keys/aes-gcm.js';
import { CanonicalContext, canonicalContext, decodeBlob } from '../keys/ciphertext-blob.js';
import { KmsErrors } from '../keys/kms-errors.js';
import { SecretsErrors, ServiceError } from '../errors/service-error.js';
import type { EncryptionContext, KeyService } from '../keys/key-service.js';
import type { DataKeyWrapping, KmsKeyRecord, Repositories, ValueType, VersionRecord } from '../storage/index.js';

/** The key that protects a secret (in its region) when none is named: AWS-managed, created on first use. */
export const DEFAULT_KEY_ALIAS = 'alias/aws/secretsmanager';

/** Version format of the value ciphertext: format (1 byte) | iv | tag | ciphertext. */
const VALUE_FORMAT = 1;

export interface SealedValue {
  ciphertext: Buffer;
  wrappedDataKey: Buffer;
}

/** What of a stored version decryption needs. */
export type SealedVersion = Pick<VersionRecord, 'versionId' | 'previousWrappings'> & {
  valueType: ValueType;
  ciphertext: Buffer;
  wrappedDataKey: Buffer;
};

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
  async decrypt(secretArn: string, version: SealedVersion): Promise<Buffer> {
    const aads = aadsOf(secretArn, version);
    const dataKey = await this.unwrapDataKey(version, aads.context);
    try {
      if (version.ciphertext[0] !== VALUE_FORMAT) throw new Error('unknown value format');
      return open(dataKey, version.ciphertext.subarray(1), aads.value);
    } catch {
      // A value that does not authenticate under its row's context was altered or moved.
      throw keyFailure('decrypt', KmsErrors.invalidCiphertext());
    } finally {
      dataKey.fill(0);
    }
  }

  /** The id of the key whose wrapping of the data key is the version's current one. */
  wrappedBy(version: SealedVersion): string | undefined {
    return decodeBlob(version.wrappedDataKey)?.header.keyId;
  }

  /**
   * The version's data key wrapped by `key` too, for a secret moving to that key;
   * the value itself is not re-encrypted. Fails as a decryption when no wrapping opens.
   */
  async rewrap(secretArn: string, version: SealedVersion, key: KmsKeyRecord): Promise<Buffer> {
    const context = { SecretARN: secretArn, SecretVersionId: version.versionId };
    const dataKey = await this.unwrapDataKey(version, context);
    try {
      return await this.keys.encrypt(key, dataKey, context);
    } catch (error) {
      throw keyFailure('encrypt', error);
    } finally {
      dataKey.fill(0);
    }
  }

  /**
   * The data key from the first wrapping whose key can open it: the current one,
   * then those of keys the secret used before. All failing, the current one's failure is reported.
   */
  private async unwrapDataKey(version: SealedVersion, context: EncryptionContext | CanonicalContext): Promise<Buffer> {
    const wrappings: DataKeyWrapping[] = [version, ...(version.previousWrappings ?? [])];
    let firstError: unknown;
    for (const { wrappedDataKey } of wrappings) {
      try {
        return (await this.keys.decrypt(wrappedDataKey, context)).plaintext;
      } catch (error) {
        firstError ??= error;
      }
    }
    throw keyFailure('decrypt', firstError);
  }
}


/** The version as decryption sees it, or undefined for a placeholder that holds no value. */
export function sealedVersion(version: VersionRecord): SealedVersion | undefined {
  const { versionId, valueType, ciphertext, wrappedDataKey, previousWrappings } = version;
  if (!valueType || !ciphertext || !wrappedDataKey) return undefined;
  return { versionId, valueType, ciphertext, wrappedDataKey, previousWrappings };
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
  return valueAadOf(canonicalContext(context), type);
}

function valueAadOf(context: Buffer, type: ValueType): Buffer {
  return Buffer.concat([context, Buffer.from(type)]);
}

/**
 * A stored version's context and value AAD, by its ciphertext: the same Buffer
 * for as long as its record is cached, so a read of a cached version makes neither again.
 */
const versionAads = new WeakMap<Buffer, { secretArn: string; versionId: string; valueType: ValueType; context: CanonicalContext; value: Buffer }>();

function aadsOf(secretArn: string, version: SealedVersion): { context: CanonicalContext; value: Buffer } {
  const cached = versionAads.get(version.ciphertext);
  if (cached && cached.secretArn === secretArn && cached.versionId === version.versionId && cached.valueType === version.valueType) return cached;
  const context = new CanonicalContext({ SecretARN: secretArn, SecretVersionId: version.versionId });
  const aads = { secretArn, versionId: version.versionId, valueType: version.valueType, context, value: valueAadOf(context.bytes, version.valueType) };
  versionAads.set(version.ciphertext, aads);
  return aads;
}
