import type { QueryModel, Shape } from './model-types.js';
import type { RequestScope } from '../shared/request-scope.js';
import type { AuthorizationTarget } from '../iam/authorizer.js';
import type { AuditedApi } from '../audit/api-call-record.js';
import type { MessageKey } from '../errors/service-error.js';

/** A request's authorization target; the action defaults to the operation's own. */
export type RequestTarget = Omit<AuthorizationTarget, 'action'> & {
  action?: string;
  /** The refusal's message, where AWS words it otherwise than a policy denial. */
  deniedMessage?: string;
};

/** What a handler knows about the request it serves. */
export interface RequestContext {
  requestId: string;
  scope: RequestScope;
  /** The authenticated principal (absent in --dev mode, where signatures are not verified). */
  principalArn?: string;
  accessKeyId: string;
  /** For a role session's temporary credentials: the role (with its path). */
  sessionIssuerArn?: string;
  /** The session policy the temporary credentials carry (JSON), if any. */
  sessionPolicy?: string;
  /**
   * Refuses the request (AccessDeniedException) unless the caller's policies allow
   * the target; handlers call it for checks the service's `authorization` leaves to them.
   */
  authorize(target: RequestTarget): Promise<void>;
}

/** One operation of an API, as the dispatcher calls it: validated input in, output shape out. */
export type OperationHandler = (ctx: RequestContext, input: Record<string, unknown>) => Promise<object | undefined>;

/** An operation's request and response types: an entry of a service's `Operations` map (`types.generated.ts`). */
export interface OperationTypes {
  input: object;
  /** `void` where the operation answers nothing. */
  output: object | void;
}

/** A service's operations by name, each with its request and response types. */
export type OperationMap<Ops> = { [Name in keyof Ops]: OperationTypes };

/** The handler of one operation: its request, validated against the model, in; its response out. */
export type Handler<Op extends OperationTypes> = (ctx: RequestContext, input: Op['input']) => Promise<Op['output']>;

/** Handlers of a service's operations (those Coffer serves), each typed by its own operation. */
export type Handlers<Ops extends OperationMap<Ops>> = { [Name in keyof Ops]?: Handler<Ops[Name]> };

type Requests<Ops extends OperationMap<Ops>> = Ops[keyof Ops]['input'];
type MemberNames<T> = T extends unknown ? keyof T : never;
type MemberType<T, Name extends PropertyKey> = T extends unknown ? (Name extends keyof T ? T[Name] : never) : never;

/**
 * The request of any of a service's operations, as a step that serves them all (authorization)
 * reads it: every member any request has, each optional, typed as the requests that have it type it.
 */
export type AnyRequest<Ops extends OperationMap<Ops>> = { [Name in MemberNames<Requests<Ops>>]?: MemberType<Requests<Ops>, Name> };

/**
 * What a request is authorized against before its handler runs: the targets (all must be
 * allowed), 'handler' where the handler authorizes itself, or undefined for the operation on `*`.
 */
export type Authorization<Input = Record<string, unknown>, Operation extends string = string> = (
  ctx: RequestContext,
  operation: Operation,
  input: Input,
) => Promise<RequestTarget[] | 'handler' | undefined>;

/** The dispatcher's view of typed handlers: validation has given each request its model type. */
export function handlerTable<Ops extends OperationMap<Ops>>(handlers: Handlers<Ops>): Record<string, OperationHandler> {
  return handlers as Record<string, OperationHandler>;
}

/** The dispatcher's view of a service's authorization, which reads requests by their model types. */
export function untypedAuthorization<Ops extends OperationMap<Ops>>(authorization: Authorization<AnyRequest<Ops>, Extract<keyof Ops, string>>): Authorization {
  return authorization as Authorization;
}

/**
 * One API Coffer serves, and all that the front end and the audit log know of it: how a
 * request reaches it (AWS JSON 1.1, routed by `X-Amz-Target`; or the query protocol when
 * `query` is set: form in, XML out, routed by the signature's service and the `Action`
 * parameter), its model and handlers, what a request is authorized against, how the errors
 * the front end answers for it read, and how CloudTrail records its calls. Serving another
 * API is a folder under src/api/ that builds one of these, and its line in src/app/coffer-app.ts.
 */
export interface ApiService {
  /** JSON 1.1: the `X-Amz-Target` prefix; query services: their signing name (names the service in logs). */
  targetPrefix: string;
  /**
   * Other `X-Amz-Target` prefixes that name the same service: the Smithy-generated SDKs (JavaScript
   * v3, Go v2) send the service shape's name where botocore-generated clients send `targetPrefix`.
   */
  targetAliases?: string[];
  signingName: string;
  /** Its name in metrics; absent, the signing name (Coffer's own APIs share `coffer`, and give their target prefix). */
  metricsName?: string;
  shapes: Record<string, Shape>;
  /** Input (and for query services output) shape name of every operation in the model. */
  operations: Record<string, { input?: string; output?: string }>;
  query?: QueryModel;
  handlers: Record<string, OperationHandler>;
  /** Operations served without a signature, even while the server is sealed. */
  unauthenticated?: Set<string>;
  /**
   * What a request is authorized against before its handler runs: the targets
   * (all must be allowed), or 'handler' where the handler authorizes itself.
   * Absent, or for operations it does not name: the operation on `*`.
   */
  authorization?: (ctx: RequestContext, operation: string, input: Record<string, unknown>) => Promise<RequestTarget[] | 'handler' | undefined>;
  /**
   * The member that holds the message of the JSON errors the front end answers for this API
   * (access denied, an operation Coffer does not serve): Secrets Manager's `Message`; absent,
   * `message`, as AWS's front end writes it. The errors the domain raises carry their own
   * (ServiceError, src/keys/kms-errors.ts): it raises them whichever API it serves.
   */
  messageKey?: MessageKey;
  /** The code of an internal failure (HTTP 500): AWS KMS answers KMSInternalException; absent, InternalServiceError. */
  internalErrorCode?: string;
  /** How CloudTrail records its calls: its event source, and what a call changed and acted on. */
  audit: AuditedApi;
}

/** A handler for an operation whose response is empty: runs the work and answers `{}`. */
export function emptyResponse<Input>(work: (ctx: RequestContext, input: Input) => Promise<unknown>): (ctx: RequestContext, input: Input) => Promise<undefined> {
  return async (ctx, input) => {
    await work(ctx, input);
    return undefined;
  };
}

/** What a generated query-protocol model module (src/api/iam, src/api/sts) exports. */
export interface GeneratedQueryModel extends QueryModel {
  signingName: string;
  shapes: Record<string, Shape>;
  operations: Record<string, { input?: string; output?: string }>;
}

/** What the model module of one of Coffer's own APIs (src/api/operator, rotation-functions, change-feed) exports. */
export interface CofferModel {
  targetPrefix: string;
  signingName: string;
  shapes: Record<string, Shape>;
  operations: Record<string, { input?: string; output?: string }>;
}

/** One of Coffer's own JSON APIs: they share the signing name `coffer`, so metrics name each by its target prefix. */
export function cofferService(model: CofferModel, parts: Pick<ApiService, 'handlers' | 'authorization' | 'unauthenticated' | 'audit'>): ApiService {
  const { targetPrefix, signingName, shapes, operations } = model;
  return { targetPrefix, signingName, metricsName: targetPrefix, shapes, operations, ...parts };
}

/** A query-protocol service (IAM, STS): known by its signing name, answered in XML. */
export function queryService(model: GeneratedQueryModel, parts: Pick<ApiService, 'handlers' | 'authorization' | 'audit'>): ApiService {
  const { signingName, shapes, operations, apiVersion, xmlNamespace, errorStatus } = model;
  return { targetPrefix: signingName, signingName, shapes, operations, query: { apiVersion, xmlNamespace, errorStatus }, ...parts };
}
