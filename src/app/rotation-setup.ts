import type { Logger } from 'pino';
import type { JsonService } from '../api/operation.js';
import type { AccessKeyStore } from '../iam/access-key-store.js';
import type { RotationFunctionService } from '../rotation/rotation-function-service.js';
import { rotationInvokers } from '../rotation/rotation-invokers.js';
import { RotationRunner } from '../rotation/rotation-runner.js';
import { RotationScheduler } from '../rotation/rotation-scheduler.js';
import { RotationService } from '../rotation/rotation-service.js';
import { pendingCopier } from '../rotation/secrets-port.js';
import type { Storage } from '../storage/index.js';
import type { ServiceEventRecorder } from '../audit/service-events.js';

export interface RotationSetupDeps {
  storage: Storage;
  /** The Secrets Manager API, through which built-in rotators and test staging act. */
  secretsManager: JsonService;
  accessKeys: AccessKeyStore;
  functions: RotationFunctionService;
  logger: Logger;
  partition: string;
  endpointUrl(): string;
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
  const { storage, secretsManager, logger, clock } = deps;
  const invokers = rotationInvokers({
    secretsManager,
    accessKeys: deps.accessKeys,
    signingKey: (fn) => deps.functions.signingKey(fn),
    endpointUrl: deps.endpointUrl,
    clock,
  });
  const runner = new RotationRunner(storage, invokers, logger, clock, pendingCopier(secretsManager, clock), deps.events);
  const service = new RotationService(storage, runner);
  const scopeOf = (account: string, region: string, now: number) => ({ account, region, partition: deps.partition, now });
  const scheduled = deps.background ? new RotationService(deps.background, runner) : service;
  const scheduler = new RotationScheduler(storage, scheduled, scopeOf, logger, clock, deps.paused);
  return { service, runner, scheduler };
}
