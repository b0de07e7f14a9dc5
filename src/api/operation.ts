import type { QueryModel, Shape } from './model-types.js';
import type { RequestScope } from '../secrets/secret-scope.js';

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
}

/** One operation of an AWS JSON 1.1 service: validated input in, output shape out. */
export type OperationHandler = (ctx: RequestContext, input: Record<string, unknown>) => Promise<object | undefined>;

/**
 * An AWS API: AWS JSON 1.1 (routed by `X-Amz-Target`), or the query protocol when `query` is
 * set (form in, XML out, routed by the signature's service and the `Action` parameter).
 */
export interface JsonService {
  /** JSON 1.1: the `X-Amz-Target` prefix; query services: their signing name (names the service in logs and audit). */
  targetPrefix: string;
  signingName: string;
  shapes: Record<string, Shape>;
  /** Input (and for query services output) shape name of every operation in the model. */
  operations: Record<string, { input?: string; output?: string }>;
  query?: QueryModel;
  handlers: Record<string, OperationHandler>;
  /** Operations served without a signature, even while the server is sealed. */
  unauthenticated?: Set<string>;
}

/** A handler for an operation whose response is empty: runs the work and answers `{}`. */
export function emptyResponse(work: (ctx: RequestContext, input: Record<string, unknown>) => Promise<unknown>): OperationHandler {
  return async (ctx, input) => {
    await work(ctx, input);
    return undefined;
  };
}
