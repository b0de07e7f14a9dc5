/**
 * A tiny AWS JSON 1.1 client over node:http with its own SigV4 signer (AWS
 * reference §2), so tests can send what no SDK will: malformed JSON, odd
 * methods and headers, bodies changed after signing, skewed clocks, broken
 * Authorization headers.
 */
import { createHash, createHmac } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { TestServer } from './coffer-server.js';

export interface RawCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignOptions {
  credentials?: RawCredentials;
  region?: string;
  /** Service in the credential scope; default `secretsmanager`. */
  service?: string;
  /** Signing time (also sent as X-Amz-Date); default now. */
  date?: Date;
  /** Overrides the date part of the credential scope. */
  scopeDate?: string;
  /** Overrides the scope terminator (`aws4_request`). */
  terminator?: string;
  /** Header names to sign; default: every header sent except Content-Length, User-Agent, Authorization. */
  signedHeaders?: string[];
}

export interface RawRequest {
  method?: string;
  path?: string;
  /** X-Amz-Target; `secretsmanager.` is prepended when it has no dot. Omitted when undefined. */
  target?: string;
  /** A string or Buffer is sent as is; anything else is JSON-encoded. Default: `{}`. */
  body?: unknown;
  /** Extra headers; a value of `undefined` removes a default header. */
  headers?: Record<string, string | undefined>;
  /** `false` sends no Authorization header. */
  sign?: SignOptions | false;
  /** Changes made after signing (tamper with the body, break the Authorization header, ...). */
  afterSign?: (request: { headers: Record<string, string>; body: Buffer }) => void;
  /** Send the body with chunked transfer encoding instead of a Content-Length. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: any;
}

export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** `yyyymmddTHHMMSSZ`. */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** The signing key of §2.3. */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secretAccessKey}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'aws4_request');
}

/**
 * Computes the Authorization header for a request (§2.2–§2.3). `headers` must
 * already hold every header to be signed, including Host and X-Amz-Date.
 */
export function authorizationHeader(
  request: { method: string; path: string; headers: Record<string, string>; body: Buffer },
  options: Required<Pick<SignOptions, 'credentials' | 'region' | 'service'>> & SignOptions,
): string {
  const lower = new Map(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const names = (options.signedHeaders ?? [...lower.keys()].filter((n) => !['authorization', 'content-length', 'user-agent'].includes(n)))
    .map((n) => n.toLowerCase())
    .sort();
  // Without X-Amz-Date, AWS signs with the Date header's time (§2.1).
  const dateHeader = lower.get('date');
  const xAmzDate = lower.get('x-amz-date') ?? amzDate(dateHeader ? new Date(dateHeader) : (options.date ?? new Date()));
  const canonicalHeaders = names.map((n) => `${n}:${(lower.get(n) ?? '').trim().replace(/ {2,}/g, ' ')}\n`).join('');
  // The query is signed as given: tests send none, or one already in canonical form.
  const [path, query = ''] = request.path.split('?');
  // A signer that sends x-amz-content-sha256 signs with its value as the payload hash (§2.2).
  const payloadHash = lower.get('x-amz-content-sha256') ?? sha256Hex(request.body);
  const canonicalRequest = [request.method, path, query, canonicalHeaders, names.join(';'), payloadHash].join('\n');
  const date = options.scopeDate ?? xAmzDate.slice(0, 8);
  const scope = `${date}/${options.region}/${options.service}/${options.terminator ?? 'aws4_request'}`;
  const stringToSign = `AWS4-HMAC-SHA256\n${xAmzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac('sha256', signingKey(options.credentials.secretAccessKey, date, options.region, options.service))
    .update(stringToSign)
    .digest('hex');
  return `AWS4-HMAC-SHA256 Credential=${options.credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
}

export class RawClient {
  readonly host: string;

  constructor(
    readonly endpoint: string,
    readonly defaults: { credentials: RawCredentials; region: string },
  ) {
    this.host = new URL(endpoint).host;
  }

  /** An AWS JSON call signed with the default credentials. */
  call(target: string, body: unknown = {}, options: Omit<RawRequest, 'target' | 'body'> = {}): Promise<RawResponse> {
    return this.send({ ...options, target, body });
  }

  async send(req: RawRequest): Promise<RawResponse> {
    const method = req.method ?? 'POST';
    const path = req.path ?? '/';
    const body = Buffer.isBuffer(req.body)
      ? req.body
      : typeof req.body === 'string'
        ? Buffer.from(req.body, 'utf8')
        : Buffer.from(JSON.stringify(req.body ?? {}), 'utf8');
    const sign = req.sign === false ? undefined : (req.sign ?? {});
    const date = sign?.date ?? new Date();

    let headers: Record<string, string> = { Host: this.host, 'Content-Type': JSON_CONTENT_TYPE };
    if (req.target !== undefined) {
      headers['X-Amz-Target'] = req.target.includes('.') ? req.target : `secretsmanager.${req.target}`;
    }
    if (sign) headers['X-Amz-Date'] = amzDate(date);
    const credentials = sign?.credentials ?? this.defaults.credentials;
    if (sign && credentials.sessionToken) headers['X-Amz-Security-Token'] = credentials.sessionToken;
    for (const [name, value] of Object.entries(req.headers ?? {})) {
      const existing = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
      if (existing) delete headers[existing];
      if (value !== undefined) headers[name] = value;
    }
    if (sign) {
      headers.Authorization = authorizationHeader(
        { method, path, headers, body },
        { ...sign, credentials, region: sign.region ?? this.defaults.region, service: sign.service ?? 'secretsmanager' },
      );
    }
    const edited = { headers, body };
    req.afterSign?.(edited);
    headers = edited.headers;
    return this.transmit(method, path, headers, edited.body, req.chunked === true);
  }

  private transmit(method: string, path: string, headers: Record<string, string>, body: Buffer, chunked: boolean): Promise<RawResponse> {
    const url = new URL(this.endpoint);
    const sent: Record<string, string> = { ...headers };
    if (chunked) sent['Transfer-Encoding'] = 'chunked';
    else if (!Object.keys(sent).some((k) => k.toLowerCase() === 'content-length')) sent['Content-Length'] = String(body.length);
    return new Promise((resolve, reject) => {
      let answered = false;
      const req = httpRequest(
        { host: url.hostname, port: url.port, method, path, headers: sent, agent: false, setHost: false },
        (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const data = Buffer.concat(chunks);
            const text = data.toString('utf8');
            let json: unknown;
            try {
              json = text.length ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data, text, json });
          });
        },
      );
      // A server may answer (and close) before it has read a large body: the write then
      // fails with EPIPE/ECONNRESET, which does not matter once the response is in.
      req.on('error', (error) => {
        if (!answered) reject(error);
      });
      if (chunked) {
        for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
        req.end();
      } else {
        req.end(body);
      }
    });
  }
}

export function rawClientFor(server: TestServer): RawClient {
  return new RawClient(server.url, {
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    region: server.region,
  });
}
