import { hash, randomBytes } from 'node:crypto';

/**
 * STS session tokens. The token is a bearer secret that only the client keeps: Coffer stores
 * its SHA-256 (the token is 96 random bytes, so no salt or slow hash is needed to make the
 * digest useless to whoever reads the database).
 */
export function newSessionToken(): string {
  return randomBytes(96).toString('base64');
}

export function sessionTokenDigest(token: string): string {
  return hash('sha256', token, 'hex');
}
