import { randomInt } from 'node:crypto';
import { frontEndError } from '../errors/service-error.js';
import type { SecretKey } from '../storage/index.js';
import type { RequestScope } from '../shared/request-scope.js';

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

/** The ARN of the same secret in another region: a replica's, or its primary's (same account, name and suffix). */
export function arnInRegion(arn: string, region: string): string {
  const parts = arn.split(':');
  parts[3] = region;
  return parts.join(':');
}

export function partitionOf(arn: string): string {
  return arn.split(':')[1]!;
}

export function assertValidName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw frontEndError(
      'ValidationException',
      'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
    );
  }
}

/**
 * How AWS reads a SecretId, as the storage key it names: a name; a full ARN
 * (ending in `-` and six characters); or a partial ARN (no suffix), which is
 * looked up by name. An ARN of another account or region names nothing here.
 */
export function parseSecretId(scope: RequestScope, secretId: string): SecretKey | undefined {
  if (!secretId.startsWith('arn:')) {
    assertValidName(secretId);
    return { account: scope.account, region: scope.region, name: secretId };
  }
  const prefix = secretArnPrefix(scope);
  if (!secretId.startsWith(prefix)) return undefined;
  const rest = secretId.slice(prefix.length);
  if (rest.length === 0 || !NAME_PATTERN.test(rest)) return undefined;
  return FULL_ARN_LAST_SEGMENT.test(rest) ? { arn: secretId } : { account: scope.account, region: scope.region, name: rest };
}
