import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

/** What the AWS SDK for JavaScript v3 throws for a service error. */
export interface SdkError extends Error {
  $metadata: { httpStatusCode?: number };
}

/**
 * Awaits `promise`, which must fail with the AWS error code `name`, HTTP status
 * `status` (400 unless told) and, when given, exactly that message (or one
 * matching the pattern). Returns the error for further checks.
 */
export async function rejectsWith(
  promise: Promise<unknown>,
  name: string,
  message?: string | RegExp,
  status = 400,
): Promise<SdkError> {
  let error: SdkError | undefined;
  try {
    await promise;
  } catch (caught) {
    error = caught as SdkError;
  }
  assert.ok(error, `expected ${name}, but the call succeeded`);
  assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
  assert.equal(error.$metadata?.httpStatusCode, status);
  if (typeof message === 'string') assert.equal(error.message, message);
  else if (message) assert.match(error.message, message);
  return error;
}

/** A ClientRequestToken / VersionId (a UUID, as the SDKs generate). */
export const token = (): string => randomUUID();

/** A secret name no other test uses: `<prefix>/<random>`. */
export const uniqueName = (prefix: string): string => `${prefix}/${randomUUID().slice(0, 8)}`;

export const NOT_FOUND = "Secrets Manager can't find the specified secret.";
export const MARKED_FOR_DELETION = "You can't perform this operation on the secret because it was marked for deletion.";

/** Midnight UTC of the current day, as a Date. */
export function todayUtc(): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}
