import { SecretsErrors } from '../errors/service-error.js';

/** Opaque NextToken: base64url JSON of a cursor, refused with InvalidNextTokenException when unreadable. */
export function encodeToken(cursor: unknown): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeToken<T>(token: string | undefined, isValid: (value: unknown) => value is T): T | undefined {
  if (token === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (isValid(value)) return value;
  } catch {
    // fall through to the error below
  }
  throw SecretsErrors.invalidNextToken();
}
