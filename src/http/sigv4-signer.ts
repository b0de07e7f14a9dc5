import { createHash, createHmac } from 'node:crypto';

/**
 * A minimal AWS Signature Version 4 signer for `POST /` requests: AWS JSON 1.1
 * and AWS query (form-encoded) bodies, with node:crypto alone. The operator CLI
 * signs its calls with it, and the benchmarks pre-sign request pools for wrk,
 * which cannot sign by itself.
 */

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials: sent, and signed, as X-Amz-Security-Token. */
  sessionToken?: string;
}

export interface SignedJsonRequest {
  /** Header lines in the order they go on the wire. */
  headers: [string, string][];
  body: string;
}

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded; charset=utf-8';

/** `yyyymmddTHHMMSSZ` */
export function amzDate(time: number): string {
  return new Date(time).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

const sha256Hex = (data: string): string => createHash('sha256').update(data).digest('hex');

/**
 * Signs many requests with one timestamp: the signing key is derived once.
 * A signature made at `now` is accepted for 5 minutes, so sign a pool just
 * before the run that sends it.
 */
export class RequestSigner {
  private readonly date: string;
  private readonly scopeDate: string;
  private readonly scope: string;
  private readonly key: Buffer;

  constructor(
    private readonly credentials: SigningCredentials,
    region: string,
    service: string,
    now = Date.now(),
  ) {
    this.date = amzDate(now);
    this.scopeDate = this.date.slice(0, 8);
    this.scope = `${this.scopeDate}/${region}/${service}/aws4_request`;
    const kDate = createHmac('sha256', `AWS4${credentials.secretAccessKey}`).update(this.scopeDate).digest();
    const kRegion = createHmac('sha256', kDate).update(region).digest();
    const kService = createHmac('sha256', kRegion).update(service).digest();
    this.key = createHmac('sha256', kService).update('aws4_request').digest();
  }

  /** An AWS JSON 1.1 request. `host` is `host:port` exactly as it will be sent in the Host header. */
  sign(host: string, target: string, body: string): SignedJsonRequest {
    return this.signPost(host, JSON_CONTENT_TYPE, body, target);
  }

  /** An AWS query request (IAM, STS): `Action=...&Version=...` form-encoded in the body. */
  signForm(host: string, params: Record<string, string>): SignedJsonRequest {
    return this.signPost(host, FORM_CONTENT_TYPE, new URLSearchParams(params).toString());
  }

  private signPost(host: string, contentType: string, body: string, target?: string): SignedJsonRequest {
    const token = this.credentials.sessionToken;
    const signedHeaders = `content-type;host;x-amz-date${token === undefined ? '' : ';x-amz-security-token'}${target === undefined ? '' : ';x-amz-target'}`;
    const tokenLine = token === undefined ? '' : `x-amz-security-token:${token}\n`;
    const targetLine = target === undefined ? '' : `x-amz-target:${target}\n`;
    const canonicalRequest = [
      'POST',
      '/',
      '',
      `content-type:${contentType}\nhost:${host}\nx-amz-date:${this.date}\n${tokenLine}${targetLine}`,
      signedHeaders,
      sha256Hex(body),
    ].join('\n');
    const stringToSign = `AWS4-HMAC-SHA256\n${this.date}\n${this.scope}\n${sha256Hex(canonicalRequest)}`;
    const signature = createHmac('sha256', this.key).update(stringToSign).digest('hex');
    return {
      headers: [
        ['Host', host],
        ['Content-Type', contentType],
        ...(target === undefined ? [] : [['X-Amz-Target', target] as [string, string]]),
        ['X-Amz-Date', this.date],
        ...(token === undefined ? [] : [['X-Amz-Security-Token', token] as [string, string]]),
        ['Authorization', `AWS4-HMAC-SHA256 Credential=${this.credentials.accessKeyId}/${this.scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`],
        ['Content-Length', String(Buffer.byteLength(body))],
      ],
      body,
    };
  }
}

/** The request as raw HTTP/1.1 bytes (keep-alive is the HTTP/1.1 default). */
export function rawHttpRequest(request: SignedJsonRequest): string {
  let out = 'POST / HTTP/1.1\r\n';
  for (const [name, value] of request.headers) out += `${name}: ${value}\r\n`;
  return `${out}\r\n${request.body}`;
}
