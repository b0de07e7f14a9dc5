import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { frontEndError, ServiceError } from '../errors/service-error.js';
import type { ApiService, RequestContext, RequestTarget } from '../api/operation.js';
import type { Authorizer, Caller } from '../iam/authorizer.js';
import { validateInput } from '../api/validation.js';
import { parseJsonBody, readBody, sendError, sendJson } from './json-protocol.js';
import type { SigV4Verifier, VerifiedCaller } from './sigv4.js';
import { decodeQueryInput, isFormRequest, parseForm, sendXml, xmlError, xmlResponse } from './query-protocol.js';
import { requestLog, type RequestLog } from '../log/request-log.js';
import { sealedError } from '../keys/root-key.js';
import { auditOutcomeUnrecorded, auditUnavailable, type AuditLog } from '../audit/audit-log.js';
import { requestChanges, requestRecord, type RequestFacts } from '../audit/api-call-record.js';
import type { WriteGate } from '../storage/write-gate.js';
import { CommitOutcomeUnknown } from '../storage/commit-outcome.js';
import { FileAnswer } from '../api/file-answer.js';

export interface DispatcherOptions {
  services: ApiService[];
  verifier: SigV4Verifier;
  logger: Logger;
  account: string;
  partition: string;
  /** The region of requests that carry no signature to name one. */
  defaultRegion: string;
  bodyLimit: number;
  clock?: () => number;
  /**
   * Brings this process's caches up to date with the changes committed anywhere before the
   * request started, so that what it reads from them holds (`Storage.syncChanges`).
   */
  catchUp?: () => Promise<void>;
  /** Whether the root key is absent: then only unauthenticated operations are served. */
  sealed?: () => boolean | Promise<boolean>;
  /** Where every request is recorded before it is answered (and a change also before it is made). */
  audit?: AuditLog;
  /** The database's write gate: changes are refused while it cannot be written (reads go on). */
  database?: WriteGate;
  /** Decides whether the caller's policies allow each request (absent: every signed caller may do anything). */
  authorizer?: Authorizer;
  /** Told of every answered request (for metrics). */
  observe?: (service: string, operation: string, status: number, seconds: number) => void;
}

type Outcome = { output: object | undefined } | { error: ServiceError };

/** Where a request was routed: the service and operation, and for the query protocol its decoded form. */
interface Route {
  service: ApiService;
  name: string;
  form?: Map<string, string>;
}

/**
 * A request as far as serving it got. Each step adds what it established, so that a request
 * failing at any step (a step fails by throwing) is still answered in its service's protocol
 * and recorded with all that was known of it.
 */
interface RequestSoFar {
  route?: Route;
  /** What its audit records say of it: who asked what, and in the end the answer. */
  auditFacts: RequestFacts;
  /** How far its request record got; attempted: it may be in the audit database even if a sink refused it. */
  requestRecord?: 'attempted' | 'durable';
}

/**
 * The answer to a request the database could not serve: nothing was changed, unless the
 * database went away while it committed the change, and then the answer says it is not known.
 */
function databaseUnavailable(cause: Error): ServiceError {
  const message =
    cause instanceof CommitOutcomeUnknown
      ? `Coffer lost its database while committing this request (${cause.message}), so the change may or may not have been made.`
      : `Coffer cannot reach or write its database (${cause.message}), so this request was not carried out.`;
  return new ServiceError('ServiceUnavailableException', message, { status: 503, messageKey: 'message' });
}

/**
 * The AWS front end: routes the request (JSON 1.1 by `X-Amz-Target`; a form-encoded body to the
 * query service its signature names, by `Action`), verifies SigV4 for the service, validates the
 * input against the model, calls the handler and writes the response or the error in the
 * service's protocol. One log line per request.
 */
export class Dispatcher {
  private readonly byPrefix: Map<string, ApiService>;
  /** Query-protocol services by signing name (the service in a credential scope). */
  private readonly queryServices: Map<string, ApiService>;
  private readonly log: RequestLog;

  constructor(private readonly options: DispatcherOptions) {
    this.byPrefix = new Map(
      options.services.filter((s) => !s.query).flatMap((s) => [s.targetPrefix, ...(s.targetAliases ?? [])].map((prefix) => [prefix, s] as const)),
    );
    this.queryServices = new Map(options.services.filter((s) => s.query).map((s) => [s.signingName, s]));
    this.log = requestLog(options.logger);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = randomUUID();
    const now = (this.options.clock ?? Date.now)();
    const soFar: RequestSoFar = { auditFacts: { requestId, account: this.options.account, region: this.options.defaultRegion, time: now } };
    const { auditFacts } = soFar;
    let outcome: Outcome;
    try {
      outcome = { output: await this.serve(req, requestId, now, soFar) };
    } catch (error) {
      outcome = { error: this.serviceError(error, requestId, soFar.route) };
    }
    if ('output' in outcome) auditFacts.output = outcome.output;
    else auditFacts.error = { code: outcome.error.code, message: outcome.error.message };
    // Answered only once its record is durable (fail closed).
    try {
      await this.options.audit?.record(requestRecord(req, auditFacts, soFar.requestRecord && 'outcome'));
    } catch (error) {
      // A change made stays recorded by its request record; the answer must not say it was not made.
      const made = 'output' in outcome && soFar.requestRecord === 'durable';
      outcome = { error: made ? auditOutcomeUnrecorded(error as Error) : auditUnavailable(error as Error) };
    }
    const { route } = soFar;
    const status = this.respond(req, res, requestId, route, outcome);
    this.options.observe?.(route ? (route.service.metricsName ?? route.service.signingName) : 'unknown', route?.name ?? 'unknown', status, (performance.now() - started) / 1000);
    this.log({
      requestId,
      operation: route && qualifiedOperation(route),
      principal: auditFacts.principalArn ?? auditFacts.accessKeyId,
      status,
      errorCode: 'error' in outcome ? outcome.error.code : undefined,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    });
  }

  /**
   * Writes the answer in the protocol of the service the request went to: a query-protocol
   * request is answered in XML even when it could not be routed. Returns the HTTP status.
   */
  private respond(req: IncomingMessage, res: ServerResponse, requestId: string, route: Route | undefined, outcome: Outcome): number {
    const service = route?.service ?? (isQueryRequest(req) ? this.queryServiceBySignature(req) ?? this.queryServices.values().next().value : undefined);
    const query = service?.query;
    if ('output' in outcome) {
      if (outcome.output instanceof FileAnswer) {
        sendFile(res, requestId, outcome.output);
        return 200;
      }
      if (query) {
        const output = service.operations[route!.name]!.output;
        sendXml(res, requestId, 200, xmlResponse(query, service.shapes, route!.name, output, outcome.output, requestId));
      } else {
        sendJson(res, requestId, 200, outcome.output ? JSON.stringify(outcome.output) : '{}');
      }
      return 200;
    }
    if (!req.complete) res.setHeader('Connection', 'close');
    if (!query) {
      sendError(res, requestId, outcome.error);
      return outcome.error.status;
    }
    const xml = xmlError(query, outcome.error, requestId);
    sendXml(res, requestId, xml.status, xml.body);
    return xml.status;
  }

  /** Routes, authenticates, validates and runs the request, adding to `soFar` what each step establishes. */
  private async serve(req: IncomingMessage, requestId: string, now: number, soFar: RequestSoFar): Promise<object | undefined> {
    const { auditFacts } = soFar;
    const body = await readBody(req, this.options.bodyLimit);
    const route = isQueryRequest(req) ? this.routeQuery(req, body) : this.route(req);
    const { service, name } = route;
    soFar.route = route;
    auditFacts.api = service.audit;
    auditFacts.operation = name;
    const open = service.unauthenticated?.has(name) ?? false;
    if (!open) {
      // Up to date first with what any process or node committed before (a seal or a root key change among it).
      await this.options.catchUp?.();
      if (await this.options.sealed?.()) throw sealedError();
    }
    const caller: Omit<VerifiedCaller, 'service'> = open
      ? { accessKeyId: '', region: this.options.defaultRegion }
      : await this.options.verifier.verify(req, body, service.signingName);
    auditFacts.principalArn = caller.principalArn;
    auditFacts.sessionIssuerArn = caller.sessionIssuerArn;
    auditFacts.principalId = caller.principalArn && (await this.options.authorizer?.userIdOf(caller.principalArn));
    auditFacts.accessKeyId = caller.accessKeyId || undefined;
    auditFacts.region = caller.region;
    const inputShape = service.operations[name]!.input;
    const raw = route.form ? (inputShape ? decodeQueryInput(service.shapes, inputShape, route.form) : {}) : parseJsonBody(body);
    const input = inputShape ? validateInput(service.shapes, inputShape, raw) : raw;
    auditFacts.input = input;
    const handler = service.handlers[name];
    if (!handler) {
      const message = `Coffer does not support the ${name} operation yet.`;
      if (service.query) throw new ServiceError('InvalidAction', message);
      throw new ServiceError('InvalidRequestException', message, { messageKey: service.messageKey ?? 'message' });
    }
    const ctx = this.context(req, route, caller, open, requestId, now);
    const targets = (await service.authorization?.(ctx, name, input)) ?? [{ resource: '*' }];
    if (targets !== 'handler') for (const target of targets) await ctx.authorize(target);
    // Nothing is served while the audit log cannot record it.
    await this.options.audit?.ensureWritable();
    if (requestChanges(auditFacts)) await this.recordRequest(req, soFar);
    return handler(ctx, input);
  }

  /**
   * Before a change: refused while the database cannot be written; then its
   * request record made durable, so that whatever happens from here on (a
   * crash included) leaves the change recorded. Reads need no such record:
   * they change nothing, and are answered only once their one record is durable.
   */
  private async recordRequest(req: IncomingMessage, soFar: RequestSoFar): Promise<void> {
    try {
      await this.options.database?.check();
    } catch (error) {
      throw databaseUnavailable(error as Error);
    }
    if (!this.options.audit) return;
    soFar.requestRecord = 'attempted';
    try {
      await this.options.audit.record(requestRecord(req, soFar.auditFacts, 'request'));
    } catch (error) {
      throw auditUnavailable(error as Error);
    }
    soFar.requestRecord = 'durable';
  }

  /** The AWS error for a failure: its own, a database that cannot be written, or an internal error. */
  private serviceError(error: unknown, requestId: string, route: Route | undefined): ServiceError {
    if (error instanceof ServiceError) return error;
    if (this.options.database?.noteError(error)) return databaseUnavailable(error as Error);
    return this.internalError(error, requestId, route);
  }

  /**
   * What the handler knows of the request, with `authorize` deciding by the caller's policies.
   * Unauthenticated operations and --dev callers are not policy-checked.
   */
  private context(req: IncomingMessage, { service, name }: Route, caller: Omit<VerifiedCaller, 'service'>, open: boolean, requestId: string, now: number): RequestContext {
    const authorizer = open || !caller.principalArn ? undefined : this.options.authorizer;
    const who: Caller | undefined = authorizer && {
      principalArn: caller.principalArn!,
      sessionIssuerArn: caller.sessionIssuerArn,
      sessionPolicy: caller.sessionPolicy,
      credentialsIssuedAt: caller.credentialsIssuedAt,
      sourceIp: sourceIp(req),
      secureTransport: (req.socket as { encrypted?: boolean }).encrypted === true,
      now,
    };
    const action = `${service.signingName}:${name}`;
    return {
      requestId,
      accessKeyId: caller.accessKeyId,
      principalArn: caller.principalArn,
      ...(caller.sessionIssuerArn ? { sessionIssuerArn: caller.sessionIssuerArn } : {}),
      ...(caller.sessionPolicy ? { sessionPolicy: caller.sessionPolicy } : {}),
      scope: { account: this.options.account, region: caller.region, partition: this.options.partition, now },
      authorize: async (target: RequestTarget) => {
        if (!authorizer || !who) return;
        const outcome = await authorizer.decide(who, { ...target, action: target.action ?? action });
        if (!outcome.allowed) throw new ServiceError('AccessDeniedException', target.deniedMessage ?? outcome.message, { messageKey: service.messageKey ?? 'message' });
      },
    };
  }

  private route(req: IncomingMessage): Route {
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

  /**
   * A query request goes to the service its credential scope names (IAM and STS share `POST /`
   * with the JSON APIs); an unsigned one to the service whose API version it gives.
   */
  private routeQuery(req: IncomingMessage, body: Buffer): Route {
    if (req.method !== 'POST') throw frontEndError('InvalidAction', `The ${req.method} method is not supported; query requests use POST /.`);
    const form = parseForm(body);
    const version = form.get('Version');
    const service =
      this.queryServiceBySignature(req) ?? [...this.queryServices.values()].find((s) => version !== undefined && s.query!.apiVersion === version);
    const name = form.get('Action');
    if (!service) throw frontEndError('InvalidAction', 'The request names no service Coffer serves through the query protocol.');
    if (!name) throw frontEndError('MissingAction', 'The request must contain the parameter Action.');
    if (!Object.hasOwn(service.operations, name)) {
      throw frontEndError('InvalidAction', `Could not find operation ${name} for version ${version ?? service.query!.apiVersion}`);
    }
    return { service, name, form };
  }

  /** The query service named by the credential scope of the Authorization header (`<key>/<date>/<region>/<service>/aws4_request`). */
  private queryServiceBySignature(req: IncomingMessage): ApiService | undefined {
    const scope = /Credential=[^/,]*\/[^/,]*\/[^/,]*\/([^/,]*)\//.exec(req.headers.authorization ?? '');
    return scope ? this.queryServices.get(scope[1]!) : undefined;
  }

  private internalError(error: unknown, requestId: string, route: Route | undefined): ServiceError {
    // The stack goes to the log only; the client gets a generic, retryable fault.
    this.options.logger.error({ requestId, operation: route && qualifiedOperation(route), err: error }, 'internal error');
    const code = route?.service.internalErrorCode ?? 'InternalServiceError';
    return new ServiceError(code, 'An internal error occurred. Retry the request.', { status: 500 });
  }
}

/** A file answer, streamed; the file is let go once sent or once the client has gone. */
function sendFile(res: ServerResponse, requestId: string, file: FileAnswer): void {
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': file.Bytes, 'x-amzn-RequestId': requestId });
  const stream = file.open();
  res.once('close', () => {
    stream.destroy();
    file.done();
  });
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** The caller's address as policies see it (aws:SourceIp): IPv4 without its IPv6 mapping. */
function sourceIp(req: IncomingMessage): string | undefined {
  const address = req.socket.remoteAddress;
  return address?.startsWith('::ffff:') ? address.slice(7) : address;
}

/** A form body without `X-Amz-Target` is a query-protocol request (IAM, STS). */
function isQueryRequest(req: IncomingMessage): boolean {
  return req.headers['x-amz-target'] === undefined && isFormRequest(req.headers['content-type']);
}

/** `<targetPrefix>.<Operation>`, as logs name a routed request. */
function qualifiedOperation({ service, name }: Route): string {
  return `${service.targetPrefix}.${name}`;
}
