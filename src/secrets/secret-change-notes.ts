import type { SecretChange, SecretChangeType, SecretRecord, UnitOfWork } from '../storage/index.js';
import { versionsToStages, type StageMap } from './staging-labels.js';

/** What a change says besides its secret: the version it concerns, the labels after it, and so on. */
export interface ChangeDetails {
  versionId?: string;
  /** The secret's labels after the change. */
  stages?: StageMap;
  deletionDate?: number;
  step?: string;
}

/** Notes in the unit what happened to `secret`, for the change feed. */
export function noteChange(tx: UnitOfWork, secret: SecretRecord, type: SecretChangeType, { stages, ...details }: ChangeDetails = {}): void {
  const change: SecretChange = { type, secretId: secret.id, arn: secret.arn, name: secret.name, ...details };
  if (stages) change.stages = versionsToStages(stages);
  tx.noteSecretChange(change);
}
