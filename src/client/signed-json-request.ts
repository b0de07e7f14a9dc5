import { request as httpRequest, Agent as HttpAgent, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { RequestSigner, type SigningCredentials } from '../http/sigv4-signer.js';

/** Where and as whom a client calls: the endpoint, the signing region and the credentials. */
export interface Connection {
  endpoint: URL;
  region: string;
  credentials: SigningCredentials;
}

/** An AWS JSON 1.1 error answer: its `__type` (without a namespace), message and HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = code;
  }
}

/** A connection that failed or timed out before an answer came. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

const httpAgent = new HttpAgent({ keepAlive: true });
type Send = (options: RequestOptions, answer: (res: IncomingMessage) => void) => ClientRequest;
/** node:https (and TLS with it) is loaded only for an https endpoint: a command line tool starts faster without. */
let https: Promise<Send> | undefined;
const httpsSender = (): Promise<Send> =>
  (https ??= import('node:https').then(({ request, Agent }) => {
    const agent = new Agent({ keepAlive: true });
    return (options, answer) => request({ ...options, agent }, answer);
  }));

/**
 * POSTs one AWS JSON 1.1 request, SigV4-signed for `service`, with node:http alone: the command
 * line tools start faster without an SDK, and long polls need only this.
 */
export async function postSignedJson(
  connection: Connection,
  service: string,
  target: string,
  input: object,
  { timeoutMs = 30_000, signal }: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<Record<string, unknown>> {
  const { endpoint, region, credentials } = connection;
  const signed = new RequestSigner(credentials, region, service).sign(endpoint.host, target, JSON.stringify(input));
  const secure = endpoint.protocol === 'https:';
  const send: Send = secure ? await httpsSender() : (options, answer) => httpRequest({ ...options, agent: httpAgent }, answer);
  return new Promise((resolve, reject) => {
    const req = send(
      {
        protocol: endpoint.protocol,
        hostname: endpoint.hostname.replace(/^\[|\]$/g, ''),
        port: endpoint.port || (secure ? 443 : 80),
        path: '/',
        method: 'POST',
        headers: Object.fromEntries(signed.headers),
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error: NodeJS.ErrnoException) => reject(new TransportError(error.message, error.code ?? 'ECONNRESET')));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Record<string, unknown>;
          try {
            body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            reject(new ApiError('InvalidResponse', `the server answered ${res.statusCode} with a body that is not JSON`, res.statusCode ?? 0));
            return;
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(body);
          else reject(new ApiError(String(body.__type ?? status).replace(/^.*#/, ''), String(body.message ?? body.Message ?? ''), status));
        });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    const abort = () => req.destroy(Object.assign(new Error('stopped'), { code: 'ABORT_ERR' }));
    signal?.addEventListener('abort', abort, { once: true });
    req.on('close', () => signal?.removeEventListener('abort', abort));
    req.on('error', (error: NodeJS.ErrnoException) => reject(new TransportError(error.message, error.code ?? 'ECONNRESET')));
    req.end(signed.body);
  });
}
