import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { frontEndError, ServiceError } from '../errors/service-error.js';
import type { JsonService, RequestContext, RequestTarget } from '../api/operation.js';
import type { Authorizer, Caller } from '../iam/authorizer.js';
import { validateInput } from '../api/validation.js';
import { parseJsonBody, readBody, sendError, sendJson } from './json-protocol.js';
import type { SigV4Verifier, VerifiedCaller } from './sigv4.js';
import { requestLog, type RequestLog } from '../log/request-log.js';
import { sealedError } from '../keys/root-key.js';
import { assertWithinScope } from './scoped-access.js';
import { auditUnavailable, type AuditLog } from '../audit/audit-log.js';
import { isReadOnly, requestRecord, type RequestFacts } from '../audit/request-record.js';

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
  /** Where every request is recorded before it is answered. */
  audit?: AuditLog;
  /** Decides whether the caller's policies allow each request (absent: every signed caller may do anything). */
  authorizer?: Authorizer;
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
    const now = (this.options.clock ?? Date.now)();
    const facts: RequestFacts = { requestId, account: this.options.account, region: this.options.defaultRegion, time: now };
    let outcome: { output: object | undefined } | { error: ServiceError };
    try {
      outcome = { output: await this.serve(req, facts, requestId, now) };
    } catch (error) {
      outcome = { error: error instanceof ServiceError ? error : this.internalError(error, requestId, qualifiedOperation(facts)) };
    }
    if ('output' in outcome) facts.output = outcome.output;
    else facts.error = { code: outcome.error.code, message: outcome.error.message };
    // Answered only once its record is durable (fail closed).
    try {
      await this.options.audit?.record(requestRecord(req, facts));
    } catch (error) {
      outcome = { error: auditUnavailable(error as Error) };
    }
    let status = 200;
    if ('output' in outcome) {
      sendJson(res, requestId, 200, outcome.output ? JSON.stringify(outcome.output) : '{}');
    } else {
      status = outcome.error.status;
      if (!req.complete) res.setHeader('Connection', 'close');
      sendError(res, requestId, outcome.error);
    }
    this.log({
      requestId,
      operation: qualifiedOperation(facts),
      principal: facts.principalArn ?? facts.accessKeyId,
      status,
      errorCode: 'error' in outcome ? outcome.error.code : undefined,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    });
  }

  /** Routes, authenticates, validates and runs the request, noting what the audit record needs in `facts`. */
  private async serve(req: IncomingMessage, facts: RequestFacts, requestId: string, now: number): Promise<object | undefined> {
    const body = await readBody(req, this.options.bodyLimit);
    const { service, name } = this.route(req);
    facts.targetPrefix = service.targetPrefix;
    facts.operation = name;
    const open = service.unauthenticated?.has(name) ?? false;
    if (!open && this.options.sealed?.()) throw sealedError();
    const caller: Omit<VerifiedCaller, 'service'> = open
      ? { accessKeyId: '', region: this.options.defaultRegion }
      : await this.options.verifier.verify(req, body, service.signingName);
    facts.principalArn = caller.principalArn;
    facts.sessionIssuerArn = caller.sessionIssuerArn;
    facts.principalId = caller.principalArn && (await this.options.authorizer?.userIdOf(caller.principalArn));
    facts.accessKeyId = caller.accessKeyId || undefined;
    facts.region = caller.region;
    const inputShape = service.operations[name]!.input;
    const input = inputShape ? validateInput(service.shapes, inputShape, parseJsonBody(body)) : parseJsonBody(body);
    facts.input = input;
    if (caller.scopeSecretArn) assertWithinScope({ principalArn: caller.principalArn, scopeSecretArn: caller.scopeSecretArn }, service.targetPrefix, name, input);
    const handler = service.handlers[name];
    if (!handler) {
      throw new ServiceError('InvalidRequestException', `Coffer does not support the ${name} operation yet.`, {
        messageKey: service.targetPrefix === 'secretsmanager' ? 'Message' : 'message',
      });
    }
    // Unauthenticated operations, keys limited to one secret (checked above) and --dev callers are not policy-checked.
    const authorizer = open || caller.scopeSecretArn || !caller.principalArn ? undefined : this.options.authorizer;
    const who: Caller | undefined = authorizer && {
      principalArn: caller.principalArn!,
      sessionIssuerArn: caller.sessionIssuerArn,
      sessionPolicy: caller.sessionPolicy,
      sourceIp: sourceIp(req),
      secureTransport: (req.socket as { encrypted?: boolean }).encrypted === true,
      now,
    };
    const action = `${service.signingName}:${name}`;
    const ctx: RequestContext = {
      requestId,
      accessKeyId: caller.accessKeyId,
      principalArn: caller.principalArn,
      scope: { account: this.options.account, region: caller.region, partition: this.options.partition, now },
      authorize: async (target: RequestTarget) => {
        if (!authorizer || !who) return;
        const outcome = await authorizer.decide(who, { ...target, action: target.action ?? action });
        if (!outcome.allowed) throw accessDenied(service, target.deniedMessage ?? outcome.message);
      },
    };
    const targets = (await service.authorization?.(ctx, name, input)) ?? [{ resource: '*' }];
    if (targets !== 'handler') for (const target of targets) await ctx.authorize(target);
    // Nothing takes effect while the audit log cannot record it.
    await this.options.audit?.ensureWritable(!isReadOnly(name));
    return handler(ctx, input);
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

/** The caller's address as policies see it (aws:SourceIp): IPv4 without its IPv6 mapping. */
function sourceIp(req: IncomingMessage): string | undefined {
  const address = req.socket.remoteAddress;
  return address?.startsWith('::ffff:') ? address.slice(7) : address;
}

function accessDenied(service: JsonService, message: string): ServiceError {
  return new ServiceError('AccessDeniedException', message, { messageKey: service.targetPrefix === 'secretsmanager' ? 'Message' : 'message' });
}

/** `<targetPrefix>.<Operation>`, once the request was routed. */
function qualifiedOperation(facts: RequestFacts): string | undefined {
  return facts.operation && `${facts.targetPrefix}.${facts.operation}`;
}
