// The Secrets Manager handlers called in-process, for tests of rotation logic alone (the
// steps, the runner): each call reaches the same operation handler a signed request would,
// without the front end. The server's own rotations go through the front end
// (src/app/signed-secrets-port.ts), which test/security/rotation-front-door.test.ts proves.
import { randomUUID } from 'node:crypto';
import type { ApiService } from '../../src/api/operation.js';
import type { SecretsPort } from '../../src/rotation/rotation-function.js';
import { secretsPortOver } from '../../src/rotation/secrets-port.js';
import type { RequestScope } from '../../src/shared/request-scope.js';

export function inProcessSecretsPort(secretsManager: ApiService, scope: Omit<RequestScope, 'now'> & { principalArn: string }, clock: () => number = Date.now): SecretsPort {
  const call = async <T>(operation: string, input: object): Promise<T> => {
    const ctx = {
      requestId: randomUUID(),
      accessKeyId: '',
      principalArn: scope.principalArn,
      scope: { account: scope.account, region: scope.region, partition: scope.partition, now: clock() },
      authorize: async () => undefined,
    };
    return (await secretsManager.handlers[operation]!(ctx, input as Record<string, unknown>)) as T;
  };
  return secretsPortOver(call);
}
