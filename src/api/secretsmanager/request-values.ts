/** Decodes the base64 `SecretBinary` of a validated request into bytes for the domain. */
export function withBinary<Request extends { SecretBinary?: string }>(input: Request): Omit<Request, 'SecretBinary'> & { SecretBinary?: Buffer } {
  const { SecretBinary, ...rest } = input;
  return SecretBinary === undefined ? rest : { ...rest, SecretBinary: Buffer.from(SecretBinary, 'base64') };
}
