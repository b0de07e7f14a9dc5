import type { IncomingMessage, ServerResponse } from 'node:http';
import { frontEndError, ServiceError } from '../errors/service-error.js';

export const CONTENT_TYPE = 'application/x-amz-json-1.1';

/** Buffers a request body up to `limit` bytes; a larger body is refused without reading it all. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      reject(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    // A client that hangs up mid-body ('aborted', ECONNRESET) is the client's failure:
    // a 400 in the log, not an internal error with a stack trace.
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ECONNRESET' ? frontEndError('SerializationException', 'The connection closed before the request body was complete.') : error),
    );
  });
}

function tooLarge(limit: number): ServiceError {
  return frontEndError('SerializationException', `The request body is larger than the limit of ${limit} bytes.`);
}

/** Parses a JSON 1.1 body: empty means `{}`, and it must be a JSON object. */
export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw frontEndError('SerializationException', 'The request body is not valid JSON.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw frontEndError('SerializationException', 'The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

export function sendJson(res: ServerResponse, requestId: string, status: number, body: string, errorType?: string): void {
  const headers: Record<string, string | number> = {
    'Content-Type': CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
  };
  if (errorType) headers['x-amzn-ErrorType'] = errorType;
  res.writeHead(status, headers);
  res.end(body);
}

/** An error body: `__type` and the message, which an error without one (KMS's InvalidCiphertextException) leaves out, as AWS does. */
export function sendError(res: ServerResponse, requestId: string, error: ServiceError): void {
  const body = error.message === '' ? { __type: error.code } : { __type: error.code, [error.messageKey]: error.message };
  sendJson(res, requestId, error.status, JSON.stringify(body), error.code);
}
