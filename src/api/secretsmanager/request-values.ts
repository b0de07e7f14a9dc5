/** Decodes the base64 `SecretBinary` of a validated request into bytes for the domain. */
export function withBinary(input: Record<string, unknown>): Record<string, unknown> {
  if (typeof input.SecretBinary !== 'string') return input;
  return { ...input, SecretBinary: Buffer.from(input.SecretBinary, 'base64') };
}
