import type { SessionCredentials } from '../iam/access-key-store.js';
import type { RotationFunctionRecord } from '../storage/index.js';
import { commandInvoker } from './invokers/command-invoker.js';
import type { CommandSandbox } from './invokers/command-sandbox.js';
import { webhookInvoker } from './invokers/webhook-invoker.js';
import type { RotationSessionIssuer } from './rotation-credentials.js';
import type { InvokerFactory } from './rotation-runner.js';
import type { RotationFunctionKind, SecretsPort } from './rotation-function.js';
import { builtInRotator } from './rotators/index.js';

export interface InvokerDeps {
  /** The credentials each rotation acts with (rotation-credentials.ts). */
  sessions: RotationSessionIssuer;
  /** What contains a command function's process. */
  sandbox: CommandSandbox;
  signingKey(fn: RotationFunctionRecord): Buffer;
  /** Where a command's AWS SDK reaches this server. */
  endpointUrl(): string;
  /**
   * The Secrets Manager API as a built-in rotator calls it with the rotation's credentials:
   * through the server's own endpoint, like any client, so each call is validated, authorized and audited.
   */
  secretsPort(region: string, credentials: SessionCredentials): SecretsPort;
  clock?: () => number;
}

/**
 * How each kind of registered function runs one rotation: a webhook by signed HTTP
 * calls; a command as a sandboxed child process given the endpoint and the rotation's
 * session credentials; a built-in rotator in-process, calling the API through the
 * server's own endpoint with the same credentials. The credentials end with the rotation.
 */
export function rotationInvokers(deps: InvokerDeps): InvokerFactory {
  const clock = deps.clock ?? Date.now;
  return async (fn, secretArn, scope) => {
    const timeoutMs = fn.timeoutSeconds * 1000;
    if (fn.kind === 'webhook') return { invoke: webhookInvoker({ url: fn.url!, timeoutMs, signingKey: deps.signingKey(fn) }) };
    // Four steps, each within the timeout, and a minute's margin.
    const session = await deps.sessions(fn, secretArn, scope, clock() + 4 * timeoutMs + 60_000);
    const { credentials } = session;
    if (fn.kind === 'command') {
      const env = {
        AWS_ENDPOINT_URL: deps.endpointUrl(),
        // AWS's rotation functions take their endpoint from this variable.
        SECRETS_MANAGER_ENDPOINT: deps.endpointUrl(),
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_SESSION_TOKEN: credentials.sessionToken,
        AWS_REGION: scope.region,
        AWS_DEFAULT_REGION: scope.region,
      };
      return { invoke: commandInvoker({ command: fn.command!, timeoutMs, env, sandbox: deps.sandbox }), release: session.release };
    }
    return { invoke: builtInRotator(fn.kind as RotationFunctionKind, deps.secretsPort(scope.region, credentials)), release: session.release };
  };
}
