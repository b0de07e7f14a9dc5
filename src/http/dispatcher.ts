import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { frontEndError, ServiceError } from '../errors/service-error.js';
import type { JsonService, RequestContext } from '../api/operation.js';
import { validateInput } from '../api/validation.js';
import { parseJsonBody, readBody, sendError, sendJson } from './json-protocol.js';
import type { SigV4Verifier } from './sigv4.js';
import { requestLog, type RequestLog } from '../log/request-log.js';
import { sealedError } from '../keys/root-key.js';
import { assertWithinScope } from './scoped-access.js';

export interface DispatcherOptions {
  services: JsonService[];
  verifier: SigV4Verifier;
  logger: Logger;
  account: string;
  partition: string;
  /** The region of requests that carry no signature to name one. */
  defaultRegion: string;
  bodyLimit: number;
  clock?: () => number;
  /** Whether the root key is absent: then only unauthenticated operations are served. */
  sealed?: () => boolean;
}

/**
 * The AWS JSON 1.1 front end: routes `X-Amz-Target`, verifies SigV4 for the
 * target's service, validates the body against the model, calls the handler
 * and writes the response or the `__type` error. One log line per request.
 */
export class Dispatcher {
  private readonly byPrefix: Map<string, JsonService>;
  private readonly log: RequestLog;

  constructor(private readonly options: DispatcherOptions) {
    this.byPrefix = new Map(options.services.map((s) => [s.targetPrefix, s]));
    this.log = requestLog(options.logger);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = randomUUID();
    let operation: string | undefined;
    let principal: string | undefined;
    let errorCode: string | undefined;
    let status = 200;
    try {
      const body = await readBody(req, this.options.bodyLimit);
      const { service, name } = this.route(req);
      operation = `${service.targetPrefix}.${name}`;
      const open = service.unauthenticated?.has(name) ?? false;
      if (!open && this.options.sealed?.()) throw sealedError();
      const caller: { accessKeyId: string; principalArn?: string; scopeSecretArn?: string; region: string } = open ? { accessKeyId: '', region: this.options.defaultRegion } : await this.options.verifier.verify(req, body, service.signingName);
      principal = caller.principalArn ?? caller.accessKeyId;
      const inputShape = service.operations[name]!.input;
      const input = inputShape ? validateInput(service.shapes, inputShape, parseJsonBody(body)) : parseJsonBody(body);
      if (caller.scopeSecretArn) assertWithinScope({ principalArn: caller.principalArn, scopeSecretArn: caller.scopeSecretArn }, service.targetPrefix, name, input);
      const handler = service.handlers[name];
      if (!handler) {
        throw new ServiceError('InvalidRequestException', `Coffer does not support the ${name} operation yet.`, {
          messageKey: service.targetPrefix === 'secretsmanager' ? 'Message' : 'message',
        });
      }
      const ctx: RequestContext = {
        requestId,
        accessKeyId: caller.accessKeyId,
        principalArn: caller.principalArn,
        scope: {
          account: this.options.account,
          region: caller.region,
          partition: this.options.partition,
          now: (this.options.clock ?? Date.now)(),
        },
      };
      const output = await handler(ctx, input);
      sendJson(res, requestId, 200, output ? JSON.stringify(output) : '{}');
    } catch (error) {
      const serviceError = error instanceof ServiceError ? error : this.internalError(error, requestId, operation);
      status = serviceError.status;
      errorCode = serviceError.code;
      if (!req.complete) res.setHeader('Connection', 'close');
      sendError(res, requestId, serviceError);
    }
    this.log({
      requestId,
      operation,
      principal,
      status,
      errorCode,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    });
  }

  private route(req: IncomingMessage): { service: JsonService; name: string } {
    if (req.method !== 'POST') {
      throw frontEndError('UnknownOperationException', `The ${req.method} method is not supported; AWS JSON requests use POST /.`);
    }
    const target = req.headers['x-amz-target'];
    if (typeof target !== 'string' || target.length === 0) {
      throw frontEndError('UnknownOperationException', 'The X-Amz-Target header is missing.');
    }
    const dot = target.lastIndexOf('.');
    const service = this.byPrefix.get(target.slice(0, dot));
    const name = target.slice(dot + 1);
    if (dot < 0 || !service || !Object.hasOwn(service.operations, name)) {
      throw frontEndError('UnknownOperationException', `Unknown operation ${target}.`);
    }
    return { service, name };
  }

  private internalError(error: unknown, requestId: string, operation: string | undefined): ServiceError {
    // The stack goes to the log only; the client gets a generic, retryable fault.
    this.options.logger.error({ requestId, operation, err: error }, 'internal error');
    const code = operation?.startsWith('TrentService.') ? 'KMSInternalException' : 'InternalServiceError';
    return new ServiceError(code, 'An internal error occurred. Retry the request.', { status: 500 });
  }
}
