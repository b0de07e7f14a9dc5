import type { RequestScope } from '../shared/request-scope.js';
import type { SecretsPort } from './rotation-function.js';

/** One Secrets Manager call: the operation's name and input, answering its output as the API's JSON. */
export type SecretsCall = <T>(operation: string, input: object) => Promise<T>;

/** The port's operations, each one call. */
export function secretsPortOver(call: SecretsCall): SecretsPort {
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
import type { PendingCopier } from './rotation-runner.js';

/** The API for calls on one secret, and how to end the credentials it was opened with. */
export type SecretsPortOpener = (scope: RequestScope, secretArn: string) => Promise<{ port: SecretsPort; release(): Promise<void> }>;

/**
 * Stages a copy of a secret's AWSCURRENT value as a new AWSPENDING version: what
 * RotateImmediately=false tests the function against.
 */
export function pendingCopier(open: SecretsPortOpener): PendingCopier {
  return async (scope, secretArn, token) => {
    const { port, release } = await open(scope, secretArn);
    try {
      const current = await port.getSecretValue({ SecretId: secretArn });
      if (current.SecretString === undefined) throw new Error('a binary secret cannot be staged for a test');
      await port.putSecretValue({ SecretId: secretArn, ClientRequestToken: token, SecretString: current.SecretString, VersionStages: ['AWSPENDING'] });
    } finally {
      await release();
    }
  };
}
