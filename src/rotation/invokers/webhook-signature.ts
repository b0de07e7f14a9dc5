/**
 * How a webhook rotation function knows a call comes from Coffer. Each POST carries
 *
 *   X-Coffer-Timestamp: <Unix time in seconds>
 *   X-Coffer-Signature: sha256=<lowercase hex HMAC-SHA256(signingKey, "<timestamp>.<raw body>")>
 *
 * The timestamp is inside the MAC so that a captured call cannot be replayed later.
 * A receiver, in any language:
 *   1. reads the raw body bytes, before any JSON parsing (re-serialising changes them);
 *   2. rejects the call unless |now - timestamp| <= 300 seconds;
 *   3. computes "sha256=" + hex(HMAC-SHA256(key, timestamp + "." + body));
 *   4. compares it with X-Coffer-Signature in constant time (Python: hmac.compare_digest).
 * Within the window a replay is only a repeated step, which the 4-step protocol already
 * tolerates (every step is idempotent for a given ClientRequestToken).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'X-Coffer-Timestamp';
export const SIGNATURE_HEADER = 'X-Coffer-Signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

const SIGNATURE_FORMAT = /^sha256=([0-9a-f]{64})$/i;
const TIMESTAMP_FORMAT = /^\d{1,15}$/;

function mac(signingKey: Buffer, timestamp: string, body: string | Buffer): Buffer {
  return createHmac('sha256', signingKey).update(`${timestamp}.`).update(body).digest();
}

/** The X-Coffer-Signature value for a body sent at `timestamp` (Unix seconds, as sent in X-Coffer-Timestamp). */
export function webhookSignature(signingKey: Buffer, timestamp: string, body: string | Buffer): string {
  return `sha256=${mac(signingKey, timestamp, body).toString('hex')}`;
}

/**
 * Whether a received call is authentic and fresh. `timestamp` and `header` are the
 * X-Coffer-Timestamp and X-Coffer-Signature values as received (missing ones fail),
 * `body` the raw request body, `now` the receiver's clock in Unix seconds
 * (`Date.now() / 1000`).
 */
export function verifyWebhookSignature(
  signingKey: Buffer,
  timestamp: string | undefined,
  body: string | Buffer,
  header: string | undefined,
  now: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): boolean {
  if (timestamp === undefined || !TIMESTAMP_FORMAT.test(timestamp)) return false;
  if (!(Math.abs(now - Number(timestamp)) <= toleranceSeconds)) return false;
  const claimed = header === undefined ? null : SIGNATURE_FORMAT.exec(header);
  if (!claimed) return false;
  // Both sides are 32 bytes here, as timingSafeEqual requires.
  return timingSafeEqual(Buffer.from(claimed[1], 'hex'), mac(signingKey, timestamp, body));
}
