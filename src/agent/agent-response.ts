import type { SecretValue } from '../client/index.js';

/** The answer's body and status. */
export interface AgentAnswer {
  status: number;
  body: string;
}

const bodies = new WeakMap<SecretValue, string>();

/**
 * A value as AWS's agent answers it: GetSecretValue's fields, SecretBinary in base64 and
 * CreatedDate as a string of epoch seconds. Made once per cached value.
 */
export function valueBody(value: SecretValue): string {
  let body = bodies.get(value);
  if (body === undefined) {
    body = JSON.stringify({
      ARN: value.ARN,
      Name: value.Name,
      VersionId: value.VersionId,
      SecretString: value.SecretString,
      SecretBinary: value.SecretBinary && Buffer.from(value.SecretBinary).toString('base64'),
      VersionStages: value.VersionStages,
      CreatedDate: value.CreatedDate && String(value.CreatedDate.getTime() / 1000),
    });
    bodies.set(value, body);
  }
  return body;
}

const NETWORK = /^(ECONNREFUSED|ECONNRESET|EPIPE|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)$/;

/**
 * A failed read as AWS's agent answers it: the service's error code, message and status;
 * 504 for a timeout, 502 for a connection that failed, 500 otherwise.
 */
export function errorAnswer(error: unknown): AgentAnswer {
  const e = error as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 400 && e.name) return { status, body: JSON.stringify({ __type: e.name, message: e.message ?? '' }) };
  if (e.name === 'TimeoutError' || e.code === 'ETIMEDOUT' || e.name === 'RequestTimeout') return { status: 504, body: JSON.stringify({ __type: 'TimeoutError', message: 'Timeout' }) };
  if (NETWORK.test(e.code ?? '') || NETWORK.test(e.name ?? '')) return { status: 502, body: JSON.stringify({ __type: 'ConnectionError', message: 'Read Error' }) };
  return { status: 500, body: '{"__type":"InternalFailure"}' };
}
