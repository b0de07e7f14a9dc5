/**
 * What happened to a secret, as the change feed tells clients. A unit of work notes one with
 * each change it makes (`UnitOfWork.noteSecretChange`), and the storage records it with the
 * unit's change records, in its transaction: a change is in the feed if and only if it committed.
 */
export type SecretChangeType =
  | 'SecretCreated'
  | 'VersionCreated'
  | 'StagesChanged'
  | 'SecretUpdated'
  | 'SecretDeleted'
  | 'SecretRestored'
  | 'SecretPurged'
  | 'RotationStarted'
  | 'RotationSucceeded'
  | 'RotationFailed';

export interface SecretChange {
  type: SecretChangeType;
  /** The secret's row id: the change key (`secret:<id>`) the record also stands for. */
  secretId: number;
  arn: string;
  name: string;
  /** The version created, rotated or whose rotation failed. */
  versionId?: string;
  /** Every version's staging labels after the change (versionId → labels), where labels may have moved. */
  stages?: Record<string, string[]>;
  /** SecretDeleted: when the secret is purged (epoch ms). */
  deletionDate?: number;
  /** RotationFailed: the step that failed. */
  step?: string;
}

/** A change as the feed reads it back: with when it was recorded (epoch ms). */
export interface RecordedSecretChange extends SecretChange {
  recordedAt: number;
}

/** One read of the change log: the changes after a cursor, in commit order, and the cursor after them. */
export interface SecretChangePage {
  changes: RecordedSecretChange[];
  cursor: string;
  /** The read stopped at its limit: more changes are there to read at once. */
  more: boolean;
}

/**
 * How long change records are kept. A client whose cursor is older may have missed changes:
 * its read fails with ExpiredCursorError and it starts over (reloading what it holds).
 */
export const CHANGE_RETENTION_MS = 60 * 60_000;

/** The cursor points before records that were pruned (or into another database): changes may have been missed. */
export class ExpiredCursorError extends Error {
  constructor() {
    super('the cursor is older than the retained change records (one hour), or from another deployment: changes may have been missed');
  }
}

/** The cursor was not made by this storage. */
export class InvalidCursorError extends Error {
  constructor() {
    super('the cursor is not one Coffer gave');
  }
}

/** Change records as stored: the JSON of a change, without its row id (the key says it). */
export function encodeChange(change: SecretChange): string {
  return JSON.stringify(change);
}

export function decodeChange(text: string, recordedAt: number): RecordedSecretChange {
  return { ...(JSON.parse(text) as SecretChange), recordedAt };
}
