import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { frontEndError, type ServiceError } from '../errors/service-error.js';
import { sessionTokenDigest } from '../iam/session-token.js';
import type { ResolvedAccessKey } from '../iam/access-key-store.js';

/** What SigV4 verification needs to know about access keys: active ones, expired or not. */
export interface CredentialResolver {
  resolve(accessKeyId: string): Promise<ResolvedAccessKey | undefined>;
}

export interface VerifiedCaller {
  accessKeyId: string;
  principalArn?: string;
  /** Role sessions: the role (with its path) the session was issued for. */
  sessionIssuerArn?: string;
  /** The session policy the temporary credentials carry (JSON text), to cap what identity policies allow. */
  sessionPolicy?: string;
  /** When the caller's key was issued. */
  credentialsIssuedAt?: number;
  region: string;
  service: string;
}

const MAX_SKEW_MS = 5 * 60 * 1000;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

const authError = (code: string, message: string): ServiceError => frontEndError(code, message);

const INVALID_TOKEN = 'The security token included in the request is invalid.';

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/**
 * Verifies AWS Signature Version 4 on a buffered request (AWS §2): the
 * Authorization header, the credential scope, the clock skew and the HMAC over
 * the canonical request built from the raw headers and raw body.
 */
export class SigV4Verifier {
  /** Derived signing keys by access key, date, region and service (valid for a day). */
  private readonly signingKeys = new Map<string, { secret: string; key: Buffer }>();

  constructor(
    private readonly credentials: CredentialResolver,
    private readonly options: { verifySignatures: boolean; clock?: () => number },
  ) {}

  async verify(req: IncomingMessage, body: Buffer, expectedService: string): Promise<VerifiedCaller> {
    const header = req.headers.authorization;
    if (!header) throw authError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    const auth = parseAuthorization(header, req);
    const [accessKeyId, scopeDate, region, service, terminator] = auth.credential.split('/');
    if (!accessKeyId || !scopeDate || !region || !service || !terminator) {
      throw authError('IncompleteSignatureException', `Credential '${auth.credential}' is not of the form <key>/<date>/<region>/<service>/aws4_request. Authorization=${header}`);
    }
    if (service !== expectedService) {
      throw authError('InvalidSignatureException', `Credential should be scoped to correct service: '${expectedService}'. `);
    }
    if (terminator !== 'aws4_request') {
      throw authError('InvalidSignatureException', `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`);
    }
    if (!auth.amzDate.startsWith(scopeDate)) {
      throw authError(
        'InvalidSignatureException',
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${auth.amzDate.slice(0, 8)}', from '${auth.amzDate}'.`,
      );
    }
    this.checkSkew(auth.amzDate);

    if (!this.options.verifySignatures) return { accessKeyId, region, service };

    const key = await this.credentials.resolve(accessKeyId);
    if (!key || !sessionTokenMatches(key, req.headers['x-amz-security-token'], auth.signedHeaders)) {
      throw authError('UnrecognizedClientException', INVALID_TOKEN);
    }
    if (key.expiresAt !== undefined && key.expiresAt <= (this.options.clock ?? Date.now)()) {
      throw authError('ExpiredTokenException', 'The security token included in the request is expired');
    }

    const payloadHash = payloadHashOf(req, body);
    const canonicalRequest = [
      req.method,
      canonicalPath(req.url ?? '/'),
      canonicalQuery(req.url ?? '/'),
      canonicalHeaders(req, auth.signedHeaders),
      auth.signedHeaders.join(';'),
      payloadHash,
    ].join('\n');
    const scope = `${scopeDate}/${region}/${service}/aws4_request`;
    const stringToSign = `AWS4-HMAC-SHA256\n${auth.amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
    const expected = createHmac('sha256', this.signingKey(accessKeyId, key.secretAccessKey, scopeDate, region, service))
      .update(stringToSign)
      .digest();
    const given = Buffer.from(auth.signature, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw authError(
        'InvalidSignatureException',
        `${SIGNATURE_MISMATCH}\n\nThe Canonical String for this request should have been\n'${redactedForDisplay(canonicalRequest)}'\n\nThe String-to-Sign should have been\n'${stringToSign}'\n`,
      );
    }
    const caller: VerifiedCaller = { accessKeyId, principalArn: key.principalArn, region, service };
    if (key.sessionIssuerArn) caller.sessionIssuerArn = key.sessionIssuerArn;
    if (key.sessionPolicy) caller.sessionPolicy = key.sessionPolicy;
    if (key.issuedAt !== undefined) caller.credentialsIssuedAt = key.issuedAt;
    return caller;
  }

  private checkSkew(amzDate: string): void {
    const m = AMZ_DATE.exec(amzDate);
    const now = (this.options.clock ?? Date.now)();
    const time = m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
    if (Number.isNaN(time)) {
      throw authError('IncompleteSignatureException', `Date must be in ISO-8601 'basic format'. Got '${amzDate}'.`);
    }
    if (time < now - MAX_SKEW_MS) {
      throw authError('InvalidSignatureException', `Signature expired: ${amzDate} is now earlier than ${amzFormat(now - MAX_SKEW_MS)} (${amzFormat(now)} - 5 min.)`);
    }
    if (time > now + MAX_SKEW_MS) {
      throw authError('InvalidSignatureException', `Signature not yet current: ${amzDate} is still later than ${amzFormat(now + MAX_SKEW_MS)} (${amzFormat(now)} + 5 min.)`);
    }
  }

  private signingKey(accessKeyId: string, secret: string, date: string, region: string, service: string): Buffer {
    const cacheKey = `${accessKeyId}/${date}/${region}/${service}`;
    const cached = this.signingKeys.get(cacheKey);
    if (cached && cached.secret === secret) return cached.key;
    const kDate = createHmac('sha256', `AWS4${secret}`).update(date).digest();
    const kRegion = createHmac('sha256', kDate).update(region).digest();
    const kService = createHmac('sha256', kRegion).update(service).digest();
    const key = createHmac('sha256', kService).update('aws4_request').digest();
    if (this.signingKeys.size > 10_000) this.signingKeys.clear();
    this.signingKeys.set(cacheKey, { secret, key });
    return key;
  }
}

/**
 * A session key needs its own token, sent in the signed X-Amz-Security-Token header; any other
 * key (long-term, or a rotation function's scoped key) must come without one.
 */
function sessionTokenMatches(key: ResolvedAccessKey, token: string | string[] | undefined, signedHeaders: string[]): boolean {
  if (key.sessionTokenHash === undefined) return token === undefined;
  if (typeof token !== 'string' || !signedHeaders.includes('x-amz-security-token')) return false;
  const given = Buffer.from(sessionTokenDigest(token), 'hex');
  const expected = Buffer.from(key.sessionTokenHash, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function amzFormat(time: number): string {
  return new Date(time).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** One-shot hashing: half the cost of a Hash object for inputs this small. */
function sha256Hex(data: string | Buffer): string {
  return hash('sha256', data, 'hex');
}

function parseAuthorization(header: string, req: IncomingMessage) {
  const problems: string[] = [];
  if (!header.startsWith('AWS4-HMAC-SHA256 ')) {
    throw authError('IncompleteSignatureException', `Authorization header requires the 'AWS4-HMAC-SHA256' algorithm. Authorization=${header}`);
  }
  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  for (const raw of header.slice('AWS4-HMAC-SHA256 '.length).split(',')) {
    const part = raw.trim();
    if (!part) continue;
    const eq = part.indexOf('=');
    if (eq < 0) {
      throw authError('IncompleteSignatureException', `'${part}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`);
    }
    const name = part.slice(0, eq);
    if (name === 'Credential') credential = part.slice(eq + 1);
    else if (name === 'SignedHeaders') signedHeaders = part.slice(eq + 1);
    else if (name === 'Signature') signature = part.slice(eq + 1);
  }
  const amzDate = (req.headers['x-amz-date'] as string | undefined) ?? dateHeaderAsAmz(req.headers.date);
  if (!credential) problems.push("Authorization header requires 'Credential' parameter.");
  if (!signature) problems.push("Authorization header requires 'Signature' parameter.");
  if (!signedHeaders) problems.push("Authorization header requires 'SignedHeaders' parameter.");
  if (!amzDate) problems.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (problems.length) throw authError('IncompleteSignatureException', `${problems.join(' ')} Authorization=${header}`);
  const names = signedHeaders!.toLowerCase().split(';');
  if (!names.includes('host')) {
    throw authError('InvalidSignatureException', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  const unsigned: string[] = [];
  for (const name in req.headers) if (mustBeSigned(name) && !names.includes(name)) unsigned.push(name);
  if (unsigned.length) {
    throw authError('InvalidSignatureException', `There were headers present in the request which were not signed: ${unsigned.sort().join(', ')}`);
  }
  if (!/^[0-9a-f]{64}$/.test(signature!)) {
    throw authError('InvalidSignatureException', SIGNATURE_MISMATCH);
  }
  return { credential: credential!, signedHeaders: names, signature: signature!, amzDate: amzDate! };
}

/**
 * Headers that choose what a request does: left unsigned, a captured request
 * could be replayed as another operation (X-Amz-Target) or read differently.
 * Every SDK signs them.
 */
function mustBeSigned(name: string): boolean {
  return name === 'content-type' || name.startsWith('x-amz-');
}

/** The canonical request as an error may show it: a session token is a credential, never echoed. */
function redactedForDisplay(canonicalRequest: string): string {
  return canonicalRequest.replace(/^x-amz-security-token:.*$/m, 'x-amz-security-token:<redacted>');
}

function dateHeaderAsAmz(date: string | undefined): string | undefined {
  if (!date) return undefined;
  const time = Date.parse(date);
  return Number.isNaN(time) ? undefined : amzFormat(time);
}

/**
 * The payload hash to sign over. A declared x-amz-content-sha256 must be the body's own hash:
 * S3's UNSIGNED-PAYLOAD is refused too, or the body of a captured request could be swapped.
 */
function payloadHashOf(req: IncomingMessage, body: Buffer): string {
  const actual = sha256Hex(body);
  const declared = req.headers['x-amz-content-sha256'];
  if (typeof declared === 'string' && declared !== actual) {
    throw authError('InvalidSignatureException', 'The provided x-amz-content-sha256 header does not match what was computed.');
  }
  return typeof declared === 'string' ? declared : actual;
}

/** Each segment URI-encoded twice, as AWS does for services other than S3. */
function canonicalPath(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path === '/') return '/';
  return path
    .split('/')
    .map((segment) => encodeRfc3986(encodeRfc3986(safeDecode(segment))))
    .join('/');
}

function canonicalQuery(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return '';
  const pairs = url
    .slice(q + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? '' : pair.slice(eq + 1);
      return [encodeRfc3986(safeDecode(name)), encodeRfc3986(safeDecode(value))] as const;
    });
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/** Signed header values rebuilt from the raw headers: trimmed, whitespace runs collapsed, duplicates joined with ','. */
function canonicalHeaders(req: IncomingMessage, names: string[]): string {
  const raw = req.rawHeaders;
  let out = '';
  // A request signs a handful of headers and sends a few more: a scan per name costs less than maps of them.
  for (const name of names) {
    let value: string | undefined;
    for (let i = 0; i < raw.length; i += 2) {
      const given = raw[i]!;
      if (given.length !== name.length || given.toLowerCase() !== name) continue;
      const normalized = canonicalValue(raw[i + 1]!);
      value = value === undefined ? normalized : `${value},${normalized}`;
    }
    out += `${name}:${value ?? ''}\n`;
  }
  return out;
}

/** Whitespace that canonicalization changes: a run, or any whitespace but a plain space. */
const UNCOLLAPSED = /\s\s|[^\S ]/;

function canonicalValue(value: string): string {
  const trimmed = value.trim();
  return UNCOLLAPSED.test(trimmed) ? trimmed.replace(/\s+/g, ' ') : trimmed;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function encodeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
