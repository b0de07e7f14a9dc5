import { randomBytes } from 'node:crypto';
import { KmsErrors } from '../../keys/kms-errors.js';
import { assertUsable, type EncryptionContext } from '../../keys/key-service.js';
import type { Handlers, RequestContext } from '../operation.js';
import type { KmsApiDeps } from './kms-deps.js';
import type { DataKeySpec, GenerateDataKeyRequest, Operations } from './types.generated.js';

const ALGORITHM = 'SYMMETRIC_DEFAULT';
/** AWS documents no limit on an encryption context; this generous one keeps requests bounded. */
const MAX_CONTEXT_BYTES = 8192;
const DATA_KEY_BYTES: Record<DataKeySpec, number> = { AES_256: 32, AES_128: 16 };

/** Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext), GenerateRandom. */
export function cryptoOperations({ keys }: KmsApiDeps): Handlers<Operations> {
  /** The key a request names, usable for encryption. */
  const encryptionKey = async (ctx: RequestContext, keyId: string, algorithm: string | undefined) => {
    const key = await keys.resolveKey(ctx.scope, keyId);
    checkAlgorithm(key.arn, algorithm);
    // Checked here too, so that DryRun reports a key that cannot encrypt.
    assertUsable(key);
    return key;
  };

  const decrypt = async (ctx: RequestContext, blob: string, contextInput: EncryptionContext | undefined, keyId: string | undefined, algorithm: string | undefined) => {
    const expected = keyId === undefined ? undefined : await keys.resolveKey(ctx.scope, keyId);
    if (expected) checkAlgorithm(expected.arn, algorithm);
    return keys.decrypt(Buffer.from(blob, 'base64'), encryptionContext(contextInput), expected?.id);
  };

  const generateDataKey = async (ctx: RequestContext, input: GenerateDataKeyRequest) => {
    const bytes = dataKeyBytes(input);
    const key = await encryptionKey(ctx, input.KeyId, undefined);
    const context = encryptionContext(input.EncryptionContext);
    dryRun(input);
    const dataKey = await keys.generateDataKey(key, context, bytes);
    return { dataKey, out: { CiphertextBlob: dataKey.ciphertextBlob.toString('base64'), KeyId: key.arn, KeyMaterialId: dataKey.materialId } };
  };

  return {
    Encrypt: async (ctx, input) => {
      const key = await encryptionKey(ctx, input.KeyId, input.EncryptionAlgorithm);
      const context = encryptionContext(input.EncryptionContext);
      dryRun(input);
      const { blob } = await keys.encryptWithId(key, Buffer.from(input.Plaintext, 'base64'), context);
      return { CiphertextBlob: blob.toString('base64'), KeyId: key.arn, EncryptionAlgorithm: ALGORITHM };
    },
    Decrypt: async (ctx, input) => {
      const result = await decrypt(ctx, requireBlob(input.CiphertextBlob), input.EncryptionContext, input.KeyId, input.EncryptionAlgorithm);
      dryRun(input);
      return { KeyId: result.key.arn, Plaintext: result.plaintext.toString('base64'), EncryptionAlgorithm: ALGORITHM, KeyMaterialId: result.materialId };
    },
    ReEncrypt: async (ctx, input) => {
      const blob = requireBlob(input.CiphertextBlob);
      const destination = await encryptionKey(ctx, input.DestinationKeyId, input.DestinationEncryptionAlgorithm);
      const destinationContext = encryptionContext(input.DestinationEncryptionContext);
      const source = await decrypt(ctx, blob, input.SourceEncryptionContext, input.SourceKeyId, input.SourceEncryptionAlgorithm);
      try {
        dryRun(input);
        const { blob, materialId } = await keys.encryptWithId(destination, source.plaintext, destinationContext);
        return {
          CiphertextBlob: blob.toString('base64'),
          SourceKeyId: source.key.arn,
          KeyId: destination.arn,
          SourceEncryptionAlgorithm: ALGORITHM,
          DestinationEncryptionAlgorithm: ALGORITHM,
          SourceKeyMaterialId: source.materialId,
          DestinationKeyMaterialId: materialId,
        };
      } finally {
        source.plaintext.fill(0);
      }
    },
    GenerateDataKey: async (ctx, input) => {
      const { dataKey, out } = await generateDataKey(ctx, input);
      try {
        return { ...out, Plaintext: dataKey.plaintext.toString('base64') };
      } finally {
        dataKey.plaintext.fill(0);
      }
    },
    GenerateDataKeyWithoutPlaintext: async (ctx, input) => {
      const { dataKey, out } = await generateDataKey(ctx, input);
      dataKey.plaintext.fill(0);
      return out;
    },
    GenerateRandom: async (_ctx, input) => {
      if (input.NumberOfBytes === undefined) throw KmsErrors.validation('NumberOfBytes is required.');
      if (input.CustomKeyStoreId !== undefined) throw KmsErrors.unsupported('Coffer does not support custom key stores.');
      return { Plaintext: randomBytes(input.NumberOfBytes).toString('base64') };
    },
  };
}

function requireBlob(blob: string | undefined): string {
  // The model leaves CiphertextBlob optional (for Recipient-based calls, which Coffer does not offer).
  if (blob === undefined) throw KmsErrors.validation('CiphertextBlob is required.');
  return blob;
}

function dataKeyBytes({ KeySpec, NumberOfBytes }: GenerateDataKeyRequest): number {
  if ((KeySpec === undefined) === (NumberOfBytes === undefined)) {
    throw KmsErrors.validation('Please specify either number of bytes or key spec.');
  }
  return NumberOfBytes ?? DATA_KEY_BYTES[KeySpec!];
}

function checkAlgorithm(keyArn: string, algorithm: string | undefined): void {
  if (algorithm !== undefined && algorithm !== ALGORITHM) {
    throw KmsErrors.validation(`${keyArn} does not support ${algorithm}; a symmetric key uses SYMMETRIC_DEFAULT.`);
  }
}

function encryptionContext(input: EncryptionContext | undefined): EncryptionContext {
  const context = input ?? {};
  if (Buffer.byteLength(JSON.stringify(context)) > MAX_CONTEXT_BYTES) {
    throw KmsErrors.validation(`The encryption context must not exceed ${MAX_CONTEXT_BYTES} bytes.`);
  }
  return context;
}

/** DryRun answers, once every check has passed, that the call would have succeeded. */
function dryRun(input: { DryRun?: boolean }): void {
  if (input.DryRun === true) throw KmsErrors.dryRun();
}
