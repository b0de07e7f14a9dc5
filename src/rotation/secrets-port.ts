import { randomUUID } from 'node:crypto';
import type { JsonService } from '../api/operation.js';
import type { SecretsPort } from './rotation-function.js';

export interface PortScope {
  account: string;
  region: string;
  partition: string;
  /** Who the calls are made as, for the record. */
  principalArn: string;
}

/**
 * The Secrets Manager API served in-process, for built-in rotators: each call
 * goes through the same operation handler a signed request reaches, so a
 * rotator sees exactly what a Lambda calling the API would.
 */
export function inProcessSecretsPort(secretsManager: JsonService, scope: PortScope, clock: () => number = Date.now): SecretsPort {
  const call = async <T>(operation: string, input: object): Promise<T> => {
    const handler = secretsManager.handlers[operation]!;
    const ctx = {
      requestId: randomUUID(),
      accessKeyId: '',
      principalArn: scope.principalArn,
      scope: { account: scope.account, region: scope.region, partition: scope.partition, now: clock() },
      // Built-in rotators are Coffer acting on its own schedule, not a caller with policies.
      authorize: async () => undefined,
    };
    // The handlers answer the API's JSON shapes: dates in epoch seconds, as a client would receive them.
    return (await handler(ctx, input as Record<string, unknown>)) as T;
  };
  return {
    describeSecret: (secretId) => call('DescribeSecret', { SecretId: secretId }),
    getSecretValue: (input) => call('GetSecretValue', input),
    putSecretValue: async (input) => {
      await call('PutSecretValue', input);
    },
    updateSecretVersionStage: async (input) => {
      await call('UpdateSecretVersionStage', input);
    },
    getRandomPassword: async (input) => (await call<{ RandomPassword: string }>('GetRandomPassword', input)).RandomPassword,
  };
}

/**
 * Stages a copy of a secret's AWSCURRENT value as a new AWSPENDING version,
 * through the API as the account root: what RotateImmediately=false tests the
 * function against.
 */
export function pendingCopier(secretsManager: JsonService, clock: () => number = Date.now) {
  return async (scope: Omit<PortScope, 'principalArn'>, secretArn: string, token: string): Promise<void> => {
    const port = inProcessSecretsPort(secretsManager, { ...scope, principalArn: `arn:${scope.partition}:iam::${scope.account}:root` }, clock);
    const current = await port.getSecretValue({ SecretId: secretArn });
    if (current.SecretString === undefined) throw new Error('a binary secret cannot be staged for a test');
    await port.putSecretValue({ SecretId: secretArn, ClientRequestToken: token, SecretString: current.SecretString, VersionStages: ['AWSPENDING'] });
  };
}
