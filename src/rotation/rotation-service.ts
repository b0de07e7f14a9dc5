import { randomUUID } from 'node:crypto';
import { SecretsErrors, ServiceError } from '../errors/service-error.js';
import { assertNotDeleted, findWritable, stagesOfSecret } from '../secrets/secret-lookup.js';
import type { RequestScope } from '../shared/request-scope.js';
import type { SecretRecord, Storage, UnitOfWork } from '../storage/index.js';
import { noteChange } from '../secrets/secret-change-notes.js';
import type { RotationRunner } from './rotation-runner.js';
import { RotationScheduleError } from './schedule-expression.js';
import { scheduleNext } from './rotation-schedule.js';

const AWSCURRENT = 'AWSCURRENT';
const AWSPENDING = 'AWSPENDING';

export interface RotateSecretInput {
  SecretId: string;
  ClientRequestToken?: string;
  RotationLambdaARN?: string;
  RotationRules?: { AutomaticallyAfterDays?: number; ScheduleExpression?: string; Duration?: string };
  RotateImmediately?: boolean;
}

/**
 * RotateSecret and CancelRotateSecret, and the start of scheduled rotations:
 * each stores the configuration and the AWSPENDING placeholder in one unit of
 * work, then hands the four steps to the runner, which runs them after the
 * answer has gone out (rotation is asynchronous, as in AWS).
 */
export class RotationService {
  constructor(
    private readonly storage: Storage,
    private readonly runner: RotationRunner,
    private readonly random: () => number = Math.random,
  ) {}

  async rotate(scope: RequestScope, input: RotateSecretInput): Promise<{ ARN: string; Name: string; VersionId?: string }> {
    const rotateNow = input.RotateImmediately ?? true;
    // The SDKs fill the token in; a caller that sends none is refused before the secret is looked up.
    if (input.ClientRequestToken === undefined) {
      throw SecretsErrors.invalidParameter('You must provide a ClientRequestToken value. We recommend a UUID-type value.');
    }
    const token = input.ClientRequestToken;
    const started = await this.storage.transaction(async (tx) => {
      // A replica rotates with its primary, never by itself.
      const secret = await findWritable(tx, scope, input.SecretId);
      assertNotDeleted(secret);
      const lambdaArn = input.RotationLambdaARN ?? secret.rotation?.lambdaArn;
      if (!lambdaArn) throw SecretsErrors.invalidRequest('No Lambda rotation function ARN is associated with this secret.');
      if (!(await tx.rotationFunctions.findByArn(lambdaArn))) throw cannotInvoke();
      const rules = input.RotationRules ?? secret.rotation?.rules;
      let rotation;
      try {
        rotation = scheduleNext({ ...secret.rotation, enabled: true, lambdaArn, rules }, secret.rotation?.lastRotatedAt ?? scope.now, this.random);
      } catch (error) {
        if (error instanceof RotationScheduleError) throw SecretsErrors.invalidParameter(error.message);
        throw error;
      }
      secret.rotation = rotation;
      if (rotateNow) await this.addPlaceholder(tx, secret, token, scope.now);
      else noteChange(tx, secret, 'SecretUpdated');
      await tx.secrets.update(secret);
      return { secret, lambdaArn };
    });
    if (!rotateNow) {
      this.runner.startTest(started.secret.arn, started.lambdaArn, scope);
      return { ARN: started.secret.arn, Name: started.secret.name };
    }
    this.runner.start(started.secret.arn, token, started.lambdaArn, scope);
    return { ARN: started.secret.arn, Name: started.secret.name, VersionId: token };
  }

  /**
   * Turns automatic rotation off and leaves an unfinished rotation's pending
   * version for the caller to clean up, as AWS does; the configuration stays visible.
   */
  async cancel(scope: RequestScope, secretId: string): Promise<{ ARN: string; Name: string; VersionId?: string }> {
    return this.storage.transaction(async (tx) => {
      const secret = await findWritable(tx, scope, secretId);
      assertNotDeleted(secret);
      if (!secret.rotation?.enabled) {
        throw SecretsErrors.invalidRequest('Rotation is not enabled for this secret, so there is no rotation to cancel.');
      }
      secret.rotation = { ...secret.rotation, enabled: false, nextRotationAt: undefined, nextRotationDate: undefined };
      await tx.secrets.update(secret);
      noteChange(tx, secret, 'SecretUpdated');
      const stages = await stagesOfSecret(tx, secret.id);
      const pending = stages.get(AWSPENDING);
      return { ARN: secret.arn, Name: secret.name, VersionId: pending !== stages.get(AWSCURRENT) ? pending : undefined };
    });
  }

  /** Starts the rotations the schedule says are due; returns how many started. */
  async startDue(now: number, scopeOf: (secret: SecretRecord) => RequestScope, limit = 20): Promise<number> {
    const due = await this.storage.transaction(async (tx) => {
      const secrets = await tx.secrets.dueForRotation(now, limit);
      const started: { secret: SecretRecord; token: string }[] = [];
      for (const secret of secrets) {
        const token = randomUUID();
        // Whatever happens to this rotation, the next one is scheduled from now: a failing
        // function is retried at its next window rather than in a tight loop.
        secret.rotation = scheduleNext(secret.rotation!, now, this.random);
        let placed = !secret.deletedAt;
        if (placed) {
          try {
            await this.addPlaceholder(tx, secret, token, now);
          } catch (error) {
            if (!(error instanceof ServiceError)) throw error;
            placed = false; // an earlier rotation is unfinished; the runner's log has said why
          }
        }
        await tx.secrets.update(secret);
        if (placed) started.push({ secret, token });
      }
      return started;
    });
    for (const { secret, token } of due) this.runner.start(secret.arn, token, secret.rotation!.lambdaArn!, scopeOf(secret));
    return due.length;
  }

  /** The AWSPENDING placeholder (a version with no value) the rotation function fills. */
  private async addPlaceholder(tx: UnitOfWork, secret: SecretRecord, token: string, now: number): Promise<void> {
    const stages = await stagesOfSecret(tx, secret.id);
    const pending = stages.get(AWSPENDING);
    if (pending !== undefined && pending !== stages.get(AWSCURRENT)) {
      throw SecretsErrors.invalidRequest("A previous rotation isn't complete. That rotation will be reattempted.");
    }
    if (await tx.secrets.version(secret.id, token)) {
      throw SecretsErrors.invalidRequest(`A version with the ClientRequestToken ${token} already exists for this secret.`);
    }
    await tx.secrets.insertVersion({ secretId: secret.id, versionId: token, createdAt: now });
    stages.set(AWSPENDING, token);
    await tx.secrets.setStages(secret.id, stages);
    noteChange(tx, secret, 'RotationStarted', { versionId: token, stages });
  }
}

function cannotInvoke(): ServiceError {
  return new ServiceError(
    'AccessDeniedException',
    'Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.',
  );
}
