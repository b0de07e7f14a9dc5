import { SecretsErrors, frontEndError } from '../errors/service-error.js';
import type { ValueType } from '../storage/index.js';
import type { SecretValueInput } from './secret-types.js';

export const MAX_VALUE_BYTES = 65536;

export interface PlainValue {
  type: ValueType;
  bytes: Buffer;
}

/** The value of a request as bytes, or undefined when it carries none. */
export function valueOf(input: SecretValueInput): PlainValue | undefined {
  if (input.SecretString !== undefined && input.SecretBinary !== undefined) {
    throw SecretsErrors.invalidParameter(
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  }
  const value: PlainValue | undefined =
    input.SecretString !== undefined
      ? { type: 'string', bytes: Buffer.from(input.SecretString, 'utf8') }
      : input.SecretBinary !== undefined
        ? { type: 'binary', bytes: input.SecretBinary }
        : undefined;
  if (value && value.bytes.length > MAX_VALUE_BYTES) {
    // The model counts characters; AWS's limit is on bytes, so multi-byte text is checked here.
    const member = value.type === 'string' ? 'secretString' : 'secretBinary';
    throw frontEndError(
      'ValidationException',
      `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_VALUE_BYTES}`,
    );
  }
  return value;
}

export function requireToken(token: string | undefined): string {
  if (token === undefined) {
    throw SecretsErrors.invalidRequest('You must provide a ClientRequestToken value. We recommend a UUID-type value.');
  }
  return token;
}

export function sameValue(a: PlainValue, b: PlainValue): boolean {
  return a.type === b.type && a.bytes.equals(b.bytes);
}
