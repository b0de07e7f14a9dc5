/**
 * The CiphertextBlob of a KMS-style encryption:
 *   format (1 byte) | key id (16 bytes, UUID) | key material version (uint32 BE) | iv | tag | ciphertext
 * The header names the key and the material that decrypts it, so key rotation
 * and other key providers need no migration.
 */
export const BLOB_FORMAT = 1;
const HEADER_BYTES = 1 + 16 + 4;

export interface BlobHeader {
  keyId: string;
  materialVersion: number;
}

export function encodeHeader(header: BlobHeader): Buffer {
  const buf = Buffer.alloc(HEADER_BYTES);
  buf[0] = BLOB_FORMAT;
  Buffer.from(header.keyId.replace(/-/g, ''), 'hex').copy(buf, 1);
  buf.writeUInt32BE(header.materialVersion, 17);
  return buf;
}

/** Splits a blob into its header and sealed body, or returns undefined when it is not one of ours. */
export function decodeBlob(blob: Buffer): { header: BlobHeader; headerBytes: Buffer; sealed: Buffer } | undefined {
  if (blob.length < HEADER_BYTES + 28 || blob[0] !== BLOB_FORMAT) return undefined;
  const hex = blob.toString('hex', 1, 17);
  const keyId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return {
    header: { keyId, materialVersion: blob.readUInt32BE(17) },
    headerBytes: blob.subarray(0, HEADER_BYTES),
    sealed: blob.subarray(HEADER_BYTES),
  };
}

/** Encryption context in a canonical form (sorted keys), authenticated as AAD. */
export function canonicalContext(context: Record<string, string> | CanonicalContext | undefined): Buffer {
  if (context instanceof CanonicalContext) return context.bytes;
  // An empty context is no context (as in AWS): `{}` on one side and none on the other must agree.
  if (!context || Object.keys(context).length === 0) return Buffer.alloc(0);
  const keys = Object.keys(context).sort();
  return Buffer.from(JSON.stringify(keys.map((k) => [k, context[k]])));
}

/** An encryption context made canonical once, for a caller that uses it more than once. */
export class CanonicalContext {
  readonly bytes: Buffer;

  constructor(context: Record<string, string>) {
    this.bytes = canonicalContext(context);
  }
}
