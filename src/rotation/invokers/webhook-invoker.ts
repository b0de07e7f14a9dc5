import type { RotationEvent, StepInvoker } from '../rotation-function.js';
import { checkTimeout, printable, stepFailure } from './invoker-support.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from './webhook-signature.js';

export { verifyWebhookSignature, webhookSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhook-signature.js';

export interface WebhookInvokerOptions {
  url: string;
  timeoutMs: number;
  /** The HMAC key the receiver verifies X-Coffer-Signature with (see webhook-signature.ts). */
  signingKey: Buffer;
  fetchImpl?: typeof fetch;
}

/** How much of a failing answer's body goes into the error. */
const EXCERPT_CHARS = 500;
const EXCERPT_BYTES = 4 * EXCERPT_CHARS;

/** The webhook URL, checked: http or https, and no user:password (the signature is the authentication). */
export function parseWebhookUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`webhook URL is not a valid URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError(`webhook URL must be http or https, got ${parsed.protocol}`);
  if (parsed.username || parsed.password) throw new TypeError('webhook URL must not carry credentials');
  return parsed;
}

/**
 * Runs each step by POSTing the event as JSON to the function's URL, signed with
 * its key. A 2xx answer completes the step. Anything else fails it: another status
 * (redirects included: they are not followed, so a signed event never goes to a
 * host the function was not registered with), no answer within the timeout, or a
 * network error.
 */
export function webhookInvoker(options: WebhookInvokerOptions): StepInvoker {
  const target = parseWebhookUrl(options.url);
  checkTimeout(options.timeoutMs);
  if (options.signingKey.length === 0) throw new TypeError('webhook signing key is empty');
  const post = options.fetchImpl ?? fetch;
  // Errors name the origin and path only: a query string may carry a token.
  const shown = `${target.origin}${target.pathname}`;

  return async (event) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs);
    let problem: string | undefined;
    try {
      problem = await deliver(post, target, options.signingKey, event, controller.signal);
    } catch (err) {
      problem = controller.signal.aborted ? `no answer within ${options.timeoutMs} ms` : `request failed: ${networkReason(err)}`;
    } finally {
      clearTimeout(timer);
    }
    if (problem !== undefined) throw stepFailure(event.Step, `webhook ${shown}: ${problem}`);
  };
}

/** Undefined when the step succeeded, else what the function answered. */
async function deliver(post: typeof fetch, target: URL, signingKey: Buffer, event: RotationEvent, signal: AbortSignal): Promise<string | undefined> {
  const body = JSON.stringify(event);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const response = await post(target, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: webhookSignature(signingKey, timestamp, body),
    },
    body,
    redirect: 'manual',
    signal,
  });
  if (response.ok) {
    // Not read, only released so that the connection can be reused.
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  const excerpt = await bodyExcerpt(response);
  return `answered HTTP ${response.status}${excerpt ? `: ${excerpt}` : ''}`;
}

/** The start of a failing answer's body, read no further than needed; whatever arrived if reading fails. */
async function bodyExcerpt(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // The status is the news; a body cut short still says what it can.
  }
  await reader.cancel().catch(() => undefined);
  const text = printable(Buffer.concat(chunks).toString('utf8')).trim();
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}...` : text;
}

/** fetch's own message is only "fetch failed"; the cause says what happened (ECONNREFUSED, a TLS error...). */
function networkReason(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  // An AggregateError (every address refused) may have no message of its own, only a code.
  if (cause instanceof Error) return cause.message || String((cause as { code?: unknown }).code ?? cause.name);
  return err instanceof Error ? err.message : String(err);
}
