import type { JsonService } from '../api/operation.js';
import type { AccessKeyStore } from '../iam/access-key-store.js';
import type { RotationFunctionRecord } from '../storage/index.js';
import { commandInvoker } from './invokers/command-invoker.js';
import { webhookInvoker } from './invokers/webhook-invoker.js';
import type { InvokerFactory } from './rotation-runner.js';
import type { RotationFunctionKind } from './rotation-function.js';
import { builtInRotator } from './rotators/index.js';
import { inProcessSecretsPort } from './secrets-port.js';

export interface InvokerDeps {
  /** The Secrets Manager API, which built-in rotators call in-process. */
  secretsManager: JsonService;
  accessKeys: AccessKeyStore;
  signingKey(fn: RotationFunctionRecord): Buffer;
  /** Where a command's AWS SDK reaches this server. */
  endpointUrl(): string;
  clock?: () => number;
}

/** Rotation principals, in the assumed-role form AWS gives a Lambda's credentials. */
function rotationPrincipal(fn: RotationFunctionRecord): string {
  return `arn:aws:sts::${fn.account}:assumed-role/coffer-rotation/${fn.name}`;
}

/**
 * How each kind of registered function runs one rotation: built-in rotators
 * in-process; a webhook by signed HTTP calls; a command as a child process
 * given the endpoint and temporary credentials valid for that one secret,
 * for as long as the rotation may take.
 */
export function rotationInvokers(deps: InvokerDeps): InvokerFactory {
  const clock = deps.clock ?? Date.now;
  return async (fn, secretArn, scope) => {
    const timeoutMs = fn.timeoutSeconds * 1000;
    switch (fn.kind) {
      case 'webhook':
        return { invoke: webhookInvoker({ url: fn.url!, timeoutMs, signingKey: deps.signingKey(fn) }) };
      case 'command': {
        // Four steps, each within the timeout, and a minute's margin.
        const expiresAt = clock() + 4 * timeoutMs + 60_000;
        const credentials = await deps.accessKeys.createTemporary(rotationPrincipal(fn), { secretArn, expiresAt });
        const env = {
          AWS_ENDPOINT_URL: deps.endpointUrl(),
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          AWS_REGION: scope.region,
          AWS_DEFAULT_REGION: scope.region,
        };
        return { invoke: commandInvoker({ command: fn.command!, timeoutMs, env }) };
      }
      default: {
        const port = inProcessSecretsPort(deps.secretsManager, { ...scope, principalArn: rotationPrincipal(fn) }, clock);
        return { invoke: builtInRotator(fn.kind as RotationFunctionKind, port) };
      }
    }
  };
}
