import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { findSecret, stagesOfSecret } from '../secrets/secret-lookup.js';
import type { RequestScope } from '../shared/request-scope.js';
import type { RotationFunctionRecord, SecretChangeType, SecretRecord, Storage } from '../storage/index.js';
import { noteChange } from '../secrets/secret-change-notes.js';
import type { StageMap } from '../secrets/staging-labels.js';
import { SECRETS_MANAGER_SOURCE, secretResource, type ServiceEventRecorder } from '../audit/service-events.js';
import { ROTATION_STEPS, type StepInvoker } from './rotation-function.js';
import { scheduleNext } from './rotation-schedule.js';

/** How a registered function is run for one rotation: its invoker, and what to undo afterwards. */
export interface PreparedFunction {
  invoke: StepInvoker;
  /** Releases what the run needed (temporary credentials, connections). */
  release?: () => Promise<void>;
}

export type InvokerFactory = (fn: RotationFunctionRecord, secretArn: string, scope: RequestScope) => Promise<PreparedFunction>;

/** Puts a copy of AWSCURRENT's value in a new AWSPENDING version, for a test of the function without a rotation. */
export type PendingCopier = (scope: RequestScope, secretArn: string, token: string) => Promise<void>;

/**
 * Runs the four steps of a rotation, in order, once each, after the request
 * that started it has been answered. Success moves the schedule and clears
 * AWSPENDING; failure is logged loudly with the step and the reason and
 * leaves AWSPENDING where it is, so that the next RotateSecret says the
 * rotation is unfinished — never a silent no-op.
 */
export class RotationRunner {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly storage: Storage,
    private readonly invokerFor: InvokerFactory,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
    private readonly copyCurrentToPending?: PendingCopier,
    /** Where each rotation and step is recorded (the audit log). */
    private readonly events?: ServiceEventRecorder,
  ) {}

  start(secretArn: string, token: string, lambdaArn: string, scope: RequestScope): void {
    this.track(this.run(secretArn, token, lambdaArn, scope));
  }

  /**
   * RotateImmediately=false: AWS checks the setup by running only testSecret,
   * against an AWSPENDING version it removes afterwards; here too.
   */
  startTest(secretArn: string, lambdaArn: string, scope: RequestScope): void {
    this.track(this.test(secretArn, lambdaArn, scope));
  }

  private track(work: Promise<void>): void {
    const run = work.finally(() => this.running.delete(run));
    this.running.add(run);
  }

  /** Resolves when every rotation in flight has ended (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }

  private async run(secretArn: string, token: string, lambdaArn: string, scope: RequestScope): Promise<void> {
    const log = this.logger.child({ secretArn, versionId: token, rotationFunction: lambdaArn });
    let step = 'prepare';
    try {
      await this.withFunction(lambdaArn, secretArn, scope, log, async (invoke) => {
        const rotationToken = randomUUID();
        log.info('rotation started');
        await this.event('RotationStarted', secretArn, scope, { versionId: token, rotationLambdaARN: lambdaArn });
        for (const s of ROTATION_STEPS) {
          step = s;
          await this.event('RotationStep', secretArn, scope, { step: s, versionId: token });
          await invoke({ Step: s, SecretId: secretArn, ClientRequestToken: token, RotationToken: rotationToken });
        }
      });
      step = 'complete';
      await this.complete(scope, secretArn, token);
      log.info('rotation succeeded');
      await this.event('RotationSucceeded', secretArn, scope, { versionId: token });
    } catch (err) {
      await this.failed(secretArn, scope, log, step, token, err as Error);
    }
  }

  private async test(secretArn: string, lambdaArn: string, scope: RequestScope): Promise<void> {
    const token = randomUUID();
    const log = this.logger.child({ secretArn, versionId: token, rotationFunction: lambdaArn });
    let step = 'prepare';
    try {
      if (!this.copyCurrentToPending) throw new Error('no way to stage a test value here');
      await this.copyCurrentToPending(scope, secretArn, token);
      try {
        await this.withFunction(lambdaArn, secretArn, scope, log, async (invoke) => {
          step = 'testSecret';
          await this.event('RotationStep', secretArn, scope, { step, versionId: token, test: true });
          await invoke({ Step: 'testSecret', SecretId: secretArn, ClientRequestToken: token, RotationToken: randomUUID() });
        });
      } finally {
        await this.updateStages(scope, secretArn, (stages) => clearPending(stages, token), { type: 'StagesChanged' }).catch((err: unknown) =>
          log.error({ err }, 'removing the test AWSPENDING failed'),
        );
      }
      log.info('rotation function test succeeded (testSecret)');
    } catch (err) {
      await this.failed(secretArn, scope, log, step, token, err as Error, true);
    }
  }

  /**
   * A failure is logged and recorded as CloudTrail's RotationFailed service event, the step in its
   * requestParameters and the reason in its errorMessage: LookupEvents (EventName=RotationFailed)
   * is how clients learn of it, as from AWS. `test` marks the check RotateImmediately=false runs.
   */
  private async failed(secretArn: string, scope: RequestScope, log: Logger, step: string, token: string, err: Error, test = false): Promise<void> {
    const reason = err.message;
    log.error({ step, reason }, test ? `rotation function test failed at ${step}` : `rotation failed at ${step}; AWSPENDING stays on the version until the rotation is retried or cleaned up`);
    if (!test) {
      await this.storage
        .transaction(async (tx) => noteChange(tx, await findSecret(tx, scope, secretArn), 'RotationFailed', { versionId: token, step }))
        .catch((error: unknown) => log.error({ err: error }, 'the rotation failure could not be noted in the change feed'));
    }
    await this.event('RotationFailed', secretArn, scope, { step, versionId: token, ...(test ? { test } : {}) }, { code: 'RotationFailed', message: reason }).catch(
      (error: unknown) => log.error({ err: error }, 'the rotation failure could not be recorded'),
    );
  }

  private async event(name: string, secretArn: string, scope: RequestScope, details: object, error?: { code: string; message: string }): Promise<void> {
    await this.events?.({
      eventSource: SECRETS_MANAGER_SOURCE,
      eventName: name,
      account: scope.account,
      region: scope.region,
      resources: [secretResource(secretArn, scope.account)],
      details,
      error,
    });
  }

  /** Finds and prepares the function, lets `work` invoke it, and releases what it needed. */
  private async withFunction(
    lambdaArn: string,
    secretArn: string,
    scope: RequestScope,
    log: Logger,
    work: (invoke: StepInvoker) => Promise<void>,
  ): Promise<void> {
    const fn = await this.storage.rotationFunctions.findByArn(lambdaArn);
    if (!fn) throw new Error(`the rotation function ${lambdaArn} does not exist`);
    const prepared = await this.invokerFor(fn, secretArn, scope);
    try {
      await work(prepared.invoke);
    } finally {
      await prepared.release?.().catch((err: unknown) => log.warn({ err }, 'releasing the rotation function failed'));
    }
  }

  /** AWSPENDING leaves the rotated version, and the rotation is recorded; the next one is scheduled from now. */
  private async complete(scope: RequestScope, secretArn: string, token: string): Promise<void> {
    const now = this.clock();
    await this.updateStages(scope, secretArn, (stages, secret) => {
      if (stages.get('AWSCURRENT') !== token) throw new Error('finishSecret did not move AWSCURRENT to the new version');
      secret.rotation = scheduleNext({ ...secret.rotation!, lastRotatedAt: now }, now);
      return clearPending(stages, token);
    }, { type: 'RotationSucceeded', versionId: token, secretChanged: true });
  }

  /**
   * One unit of work over a secret's labels: `change` says whether it changed them (and may
   * change the secret, then `secretChanged`), noted in the change feed as `type`.
   */
  private async updateStages(
    scope: RequestScope,
    secretArn: string,
    change: (stages: StageMap, secret: SecretRecord) => boolean,
    { type, versionId, secretChanged = false }: { type: SecretChangeType; versionId?: string; secretChanged?: boolean },
  ): Promise<void> {
    await this.storage.transaction(async (tx) => {
      const secret = await findSecret(tx, scope, secretArn);
      const stages = await stagesOfSecret(tx, secret.id);
      const moved = change(stages, secret);
      if (moved) await tx.secrets.setStages(secret.id, stages);
      if (secretChanged) await tx.secrets.update(secret);
      if (moved || secretChanged) noteChange(tx, secret, type, { versionId, stages });
    });
  }
}

/** Removes AWSPENDING when it is on `token`'s version; says whether it was. */
function clearPending(stages: StageMap, token: string): boolean {
  return stages.get('AWSPENDING') === token && stages.delete('AWSPENDING');
}
