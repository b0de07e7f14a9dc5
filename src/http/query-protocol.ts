/**
 * The AWS query protocol (IAM, STS): a form-encoded body in (`Action=CreateUser&Version=...&
 * Tags.member.1.Key=...`), XML out (`<CreateUserResponse><CreateUserResult>...`), errors as
 * `<ErrorResponse>`. The form is decoded into the same input object a JSON 1.1 body gives,
 * typed by the model's input shape, so validation and handlers are shared by both protocols.
 */
import type { ServerResponse } from 'node:http';
import { frontEndError, ServiceError } from '../errors/service-error.js';
import type { QueryModel, Shape } from '../api/model-types.js';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

export function isFormRequest(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.toLowerCase().startsWith(FORM_CONTENT_TYPE);
}

/** The form's name/value pairs (`+` is a space; a repeated name keeps its last value). */
export function parseForm(body: Buffer): Map<string, string> {
  return new Map(new URLSearchParams(body.toString('utf8')));
}

/**
 * The input object of `shapeName` from the form's flattened names: structure members as
 * `Prefix.Member`, list elements as `Prefix.member.<n>` (an empty list as `Prefix=`), map entries
 * as `Prefix.entry.<n>.key` / `.value`; scalars converted to the shape's type.
 */
export function decodeQueryInput(shapes: Record<string, Shape>, shapeName: string, form: Map<string, string>): Record<string, unknown> {
  const decoder = new QueryDecoder(shapes, form, indexNames(form.keys()));
  return (decoder.structure(shapes[shapeName]!, '') ?? {}) as Record<string, unknown>;
}

/** What the decoder asks of the form's names, answered from one pass over them. */
interface NameIndex {
  /** Every `A.`, `A.B.`, ... that some name starts with. */
  prefixes: Set<string>;
  /** For each `X.member.` / `X.entry.` prefix, the 1-based positions named under it. */
  positions: Map<string, Set<number>>;
}

/**
 * One pass over the names, so that decoding stays linear in the form's size:
 * asking "does any name start with this?" of every name for every list element
 * made 8,000 list members cost seconds.
 */
function indexNames(names: Iterable<string>): NameIndex {
  const index: NameIndex = { prefixes: new Set(), positions: new Map() };
  for (const name of names) {
    const segments = name.split('.');
    let prefix = '';
    for (let i = 0; i < segments.length - 1; i += 1) {
      const segment = segments[i]!;
      prefix += `${segment}.`;
      index.prefixes.add(prefix);
      if (i > 0 && (segment === 'member' || segment === 'entry')) {
        const position = Number(segments[i + 1]);
        if (!Number.isInteger(position) || position <= 0) continue;
        let seen = index.positions.get(prefix);
        if (!seen) index.positions.set(prefix, (seen = new Set()));
        seen.add(position);
      }
    }
  }
  return index;
}

class QueryDecoder {
  constructor(
    private readonly shapes: Record<string, Shape>,
    private readonly form: Map<string, string>,
    private readonly names: NameIndex,
  ) {}

  value(shapeName: string, name: string): unknown {
    const shape = this.shapes[shapeName]!;
    switch (shape.type) {
      case 'structure':
        return this.structure(shape, `${name}.`);
      case 'list':
        return this.list(shape, shapeName, name);
      case 'map':
        return this.map(shape, shapeName, name);
      default: {
        const raw = this.form.get(name);
        return raw === undefined ? undefined : scalar(shape, raw, name);
      }
    }
  }

  /** `prefix` is '' at the top level, else `Name.`: undefined when no member was sent. */
  structure(shape: Shape, prefix: string): Record<string, unknown> | undefined {
    if (prefix && !this.names.prefixes.has(prefix)) return undefined;
    const out: Record<string, unknown> = {};
    for (const member in shape.members) {
      const value = this.value(shape.members[member]!, `${prefix}${member}`);
      if (value !== undefined) out[member] = value;
    }
    return out;
  }

  private list(shape: Shape, shapeName: string, name: string): unknown[] | undefined {
    const indices = this.indices(`${name}.member.`, shape, shapeName, name);
    if (indices.length === 0) return this.form.get(name) === '' ? [] : undefined;
    return indices.map((i) => this.value(shape.member!, `${name}.member.${i}`));
  }

  private map(shape: Shape, shapeName: string, name: string): Record<string, unknown> | undefined {
    const indices = this.indices(`${name}.entry.`, shape, shapeName, name);
    if (indices.length === 0) return undefined;
    const out: Record<string, unknown> = {};
    for (const i of indices) {
      const key = this.form.get(`${name}.entry.${i}.key`);
      if (key === undefined) continue;
      const value = this.value(shape.value!, `${name}.entry.${i}.value`);
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  /**
   * The distinct 1-based positions under `prefix`, in order (gaps close up, as AWS's decoder does).
   * More than the list's limit is refused before any element is decoded.
   */
  private indices(prefix: string, shape: Shape, shapeName: string, name: string): number[] {
    const positions = this.names.positions.get(prefix);
    if (!positions) return [];
    const limit = memberLimit(shape, shapeName);
    if (positions.size > limit) {
      const path = name.charAt(0).toLowerCase() + name.slice(1);
      throw frontEndError(
        'ValidationException',
        `1 validation error detected: Value with ${positions.size} members at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${limit}`,
      );
    }
    return [...positions].sort((a, b) => a - b);
  }
}

/**
 * Limits AWS documents for lists its models leave unbounded: PolicyArns of AssumeRole*,
 * GetFederationToken ("up to 10 managed policy ARNs"), an OIDC provider's thumbprints (five)
 * and client IDs (100).
 */
const DOCUMENTED_MEMBER_LIMITS: Record<string, number> = {
  policyDescriptorListType: 10,
  thumbprintListType: 5,
  clientIDListType: 100,
};

/** For a list or map neither the model nor AWS's documentation bounds, so that no request decodes without bound. */
export const UNDOCUMENTED_MEMBER_LIMIT = 1000;

function memberLimit(shape: Shape, shapeName: string): number {
  return shape.max ?? DOCUMENTED_MEMBER_LIMITS[shapeName] ?? UNDOCUMENTED_MEMBER_LIMIT;
}

function scalar(shape: Shape, raw: string, name: string): unknown {
  switch (shape.type) {
    case 'integer':
    case 'long':
      if (!/^-?\d+$/.test(raw.trim())) throw badValue(raw, name, 'Member must be a number');
      return Number(raw.trim());
    case 'double':
    case 'float': {
      const n = Number(raw);
      if (raw.trim() === '' || Number.isNaN(n)) throw badValue(raw, name, 'Member must be a number');
      return n;
    }
    case 'boolean': {
      const lower = raw.toLowerCase();
      if (lower !== 'true' && lower !== 'false') throw badValue(raw, name, 'Member must be a boolean (true or false)');
      return lower === 'true';
    }
    case 'timestamp': {
      const time = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : Date.parse(raw);
      if (Number.isNaN(time)) throw badValue(raw, name, 'Member must be an ISO 8601 timestamp');
      return time / 1000;
    }
    default:
      return raw;
  }
}

function badValue(raw: string, name: string, constraint: string): ServiceError {
  const path = name.charAt(0).toLowerCase() + name.slice(1);
  return frontEndError('ValidationException', `1 validation error detected: Value '${raw}' at '${path}' failed to satisfy constraint: ${constraint}`);
}

// ------------------------------------------------------------------------------------ XML out

/** `<{Operation}Response>` with its `<{Operation}Result>` (when the model has an output) and the request id. */
export function xmlResponse(
  model: QueryModel,
  shapes: Record<string, Shape>,
  operation: string,
  outputShape: string | undefined,
  output: object | undefined,
  requestId: string,
): string {
  const result = outputShape ? element(`${operation}Result`, structureXml(shapes, shapes[outputShape]!, output ?? {})) : '';
  return (
    `<${operation}Response xmlns="${model.xmlNamespace}">${result}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`
  );
}

/** AWS's query error document; the code's status is the model's when it declares the code. */
export function xmlError(model: QueryModel, error: ServiceError, requestId: string): { status: number; body: string } {
  const { code, status } = queryErrorCode(error, model);
  const type = status >= 500 ? 'Receiver' : 'Sender';
  const body =
    `<ErrorResponse xmlns="${model.xmlNamespace}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { status, body };
}

/**
 * The shared front end raises JSON 1.1's codes (authentication, validation, routing); query
 * services answer the same failures under their own names and statuses.
 */
const QUERY_CODES: Record<string, { code: string; status: number }> = {
  UnrecognizedClientException: { code: 'InvalidClientTokenId', status: 403 },
  InvalidSignatureException: { code: 'SignatureDoesNotMatch', status: 403 },
  MissingAuthenticationTokenException: { code: 'MissingAuthenticationToken', status: 403 },
  IncompleteSignatureException: { code: 'IncompleteSignature', status: 400 },
  ExpiredTokenException: { code: 'ExpiredTokenException', status: 403 },
  ValidationException: { code: 'ValidationError', status: 400 },
  SerializationException: { code: 'MalformedInput', status: 400 },
  UnknownOperationException: { code: 'InvalidAction', status: 400 },
  AccessDeniedException: { code: 'AccessDenied', status: 403 },
  InternalServiceError: { code: 'InternalFailure', status: 500 },
};

export function queryErrorCode(error: ServiceError, model: QueryModel): { code: string; status: number } {
  const mapped = QUERY_CODES[error.code];
  if (mapped) return mapped;
  return { code: error.code, status: model.errorStatus[error.code] ?? error.status };
}

export function sendXml(res: ServerResponse, requestId: string, status: number, body: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/xml',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
  });
  res.end(body);
}

function structureXml(shapes: Record<string, Shape>, shape: Shape, value: object): string {
  let out = '';
  const record = value as Record<string, unknown>;
  for (const member in shape.members) {
    const v = record[member];
    if (v !== undefined && v !== null) out += element(member, valueXml(shapes, shapes[shape.members[member]!]!, v));
  }
  return out;
}

function valueXml(shapes: Record<string, Shape>, shape: Shape, value: unknown): string {
  switch (shape.type) {
    case 'structure':
      return structureXml(shapes, shape, value as object);
    case 'list': {
      const member = shapes[shape.member!]!;
      return (value as unknown[]).map((v) => element('member', valueXml(shapes, member, v))).join('');
    }
    case 'map': {
      const valueShape = shapes[shape.value!]!;
      return Object.entries(value as Record<string, unknown>)
        .map(([k, v]) => element('entry', element('key', escapeXml(k)) + element('value', valueXml(shapes, valueShape, v))))
        .join('');
    }
    case 'timestamp':
      return isoTimestamp(value);
    case 'blob':
      return Buffer.isBuffer(value) ? value.toString('base64') : escapeXml(String(value));
    default:
      return escapeXml(String(value));
  }
}

/** Handlers give epoch seconds (as for JSON 1.1) or a Date; XML carries ISO 8601, to the second unless finer. */
function isoTimestamp(value: unknown): string {
  const ms = value instanceof Date ? value.getTime() : (value as number) * 1000;
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function element(name: string, content: string): string {
  return `<${name}>${content}</${name}>`;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };

/** Element text (no attribute holds data): markup characters, and CR, which XML parsers would fold into LF. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>\r]/g, (c) => XML_ESCAPES[c]!);
}
