import { ServiceError } from '../errors/service-error.js';

/** What a key limited to one secret may call: the operations a rotation function needs. */
const SCOPED_OPERATIONS = new Set([
  'DescribeSecret',
  'GetSecretValue',
  'PutSecretValue',
  'UpdateSecretVersionStage',
  'ListSecretVersionIds',
  'GetRandomPassword',
]);

/**
 * Refuses a request by a key limited to one secret (`scopeSecretArn`) unless
 * it is a Secrets Manager operation a rotation function needs, on that secret
 * (named by ARN or by name).
 */
export function assertWithinScope(
  caller: { principalArn?: string; scopeSecretArn: string },
  targetPrefix: string,
  operation: string,
  input: Record<string, unknown>,
): void {
  const secretId = input.SecretId as string | undefined;
  const name = caller.scopeSecretArn.slice(caller.scopeSecretArn.indexOf(':secret:') + ':secret:'.length, -7);
  const allowed =
    targetPrefix === 'secretsmanager' &&
    SCOPED_OPERATIONS.has(operation) &&
    (operation === 'GetRandomPassword' || secretId === caller.scopeSecretArn || secretId === name);
  if (!allowed) {
    const action = `${targetPrefix === 'secretsmanager' ? 'secretsmanager' : targetPrefix}:${operation}`;
    throw new ServiceError(
      'AccessDeniedException',
      `User: ${caller.principalArn} is not authorized to perform: ${action} on resource: ${secretId ?? '*'} because no session policy allows the ${action} action`,
    );
  }
}
