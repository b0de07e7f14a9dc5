import type { Logger } from 'pino';
import type { SigningCredentials } from '../http/sigv4-signer.js';
import type { AccessKeyStore } from '../iam/access-key-store.js';
import type { StsSessions } from '../iam/directory/sts-sessions.js';
import type { RotationFunctionService } from '../rotation/rotation-function-service.js';
import { bubblewrapSandbox, type SandboxOptions } from '../rotation/invokers/command-sandbox.js';
import { rotationSessions } from '../rotation/rotation-credentials.js';
import { rotationInvokers } from '../rotation/rotation-invokers.js';
import { RotationRunner } from '../rotation/rotation-runner.js';
import { RotationScheduler } from '../rotation/rotation-scheduler.js';
import { RotationService } from '../rotation/rotation-service.js';
import { pendingCopier } from '../rotation/secrets-port.js';
import { signedSecretsPort } from './signed-secrets-port.js';
import type { RequestScope } from '../shared/request-scope.js';
import type { Storage } from '../storage/index.js';
import type { ServiceEventRecorder } from '../audit/service-events.js';

export interface RotationSetupDeps {
  storage: Storage;
  accessKeys: AccessKeyStore;
  /** Issues the sessions of functions' execution roles. */
  sts: StsSessions;
  functions: RotationFunctionService;
  /** Who command functions run as, and what of the server they must not see. */
  sandbox: SandboxOptions;
  logger: Logger;
  partition: string;
  /** The server's own endpoint, which functions (built-in ones too) call. */
  endpointUrl(): string;
  /** The server's TLS certificate (PEM), when it serves https. */
  certificate?: Buffer;
  /** Nothing is scheduled while this says so (a sealed server). */
  paused(): boolean;
  clock?: () => number;
  /** Where rotations and their steps are recorded. */
  events?: ServiceEventRecorder;
  /** The storage the scheduler starts rotations through: fenced by the background lease. */
  background?: Storage;
}

/** The rotation service, the runner it hands rotations to, and the scheduler that starts them on time. */
export function setUpRotation(deps: RotationSetupDeps) {
  const { storage, logger, clock } = deps;
  const sessions = rotationSessions({ accessKeys: deps.accessKeys, sts: deps.sts });
  // The server's own endpoint, as any client calls it: each call validated, authorized and audited.
  const secretsPort = (region: string, credentials: SigningCredentials) =>
    signedSecretsPort({ endpoint: deps.endpointUrl(), region, credentials, certificate: deps.certificate });
  const invokers = rotationInvokers({
    endpointUrl: deps.endpointUrl,
    secretsPort,
    clock,
    sessions,
    sandbox: bubblewrapSandbox(deps.sandbox),
    signingKey: (fn) => deps.functions.signingKey(fn),
  });
  // Coffer stages the copy itself, as the account, through its own endpoint, with a session for that secret alone.
  const stagingPort = async (scope: RequestScope, secretArn: string) => {
    const session = await sessions({ name: 'test-staging' }, secretArn, scope, (clock ?? Date.now)() + 5 * 60_000);
    return { port: secretsPort(scope.region, session.credentials), release: session.release };
  };
  const runner = new RotationRunner(storage, invokers, logger, clock, pendingCopier(stagingPort), deps.events);
  const service = new RotationService(storage, runner);
  const scopeOf = (account: string, region: string, now: number) => ({ account, region, partition: deps.partition, now });
  const scheduled = deps.background ? new RotationService(deps.background, runner) : service;
  const scheduler = new RotationScheduler(storage, scheduled, scopeOf, logger, clock, deps.paused);
  return { service, runner, scheduler };
}
