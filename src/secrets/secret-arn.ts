import { randomInt } from 'node:crypto';
import { frontEndError } from '../errors/service-error.js';
import type { RequestScope } from './secret-scope.js';

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]+$/;
const FULL_ARN_LAST_SEGMENT = /-[A-Za-z0-9]{6}$/;

export function secretArnPrefix(scope: Pick<RequestScope, 'partition' | 'region' | 'account'>): string {
  return `arn:${scope.partition}:secretsmanager:${scope.region}:${scope.account}:secret:`;
}

/** A new ARN: the name plus `-` and six random characters, unique across delete-and-recreate. */
export function newSecretArn(scope: RequestScope, name: string): string {
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return `${secretArnPrefix(scope)}${name}-${suffix}`;
}

export function assertValidName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw frontEndError(
      'ValidationException',
      'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
    );
  }
}

export type SecretIdRef = { kind: 'name'; name: string } | { kind: 'arn'; arn: string } | { kind: 'none' };

/**
 * How AWS reads a SecretId: a name; a full ARN (ending in `-` and six characters);
 * or a partial ARN (no suffix), which is looked up by name. An ARN of another
 * account or region names nothing here.
 */
export function parseSecretId(scope: RequestScope, secretId: string): SecretIdRef {
  if (!secretId.startsWith('arn:')) {
    assertValidName(secretId);
    return { kind: 'name', name: secretId };
  }
  const prefix = secretArnPrefix(scope);
  if (!secretId.startsWith(prefix)) return { kind: 'none' };
  const rest = secretId.slice(prefix.length);
  if (rest.length === 0 || !NAME_PATTERN.test(rest)) return { kind: 'none' };
  return FULL_ARN_LAST_SEGMENT.test(rest) ? { kind: 'arn', arn: secretId } : { kind: 'name', name: rest };
}
