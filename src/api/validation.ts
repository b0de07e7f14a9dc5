/**
 * Request validation driven by the generated service models, mirroring AWS's JSON 1.1
 * front end: JSON type mismatches are a SerializationException (deserialization fails
 * first), model constraint violations are collected into one ValidationException.
 */
import { frontEndError } from '../errors/service-error.js';
import type { Shape } from './model-types.js';

/** A path step: a structure member name, a 0-based list index, or a map key. */
type Segment = string | number | { key: string };

interface Context {
  shapes: Record<string, Shape>;
  path: Segment[];
  errors: string[] | undefined;
}

/**
 * Checks a parsed JSON request body against `shapeName` and returns a cleaned copy
 * (unknown members and nulls dropped, blobs left as base64 strings).
 * Throws a ServiceError (SerializationException or ValidationException).
 */
export function validateInput(shapes: Record<string, Shape>, shapeName: string, input: unknown): Record<string, unknown> {
  const shape = shapes[shapeName];
  if (!shape) throw new Error(`Unknown input shape: ${shapeName}`);
  if (!isObject(input)) throw frontEndError('SerializationException', 'The request body must be a JSON object.');
  const ctx: Context = { shapes, path: [], errors: undefined };
  const out = check(ctx, shape, input) as Record<string, unknown>;
  if (ctx.errors) {
    const n = ctx.errors.length;
    throw frontEndError(
      'ValidationException',
      `${n} validation error${n === 1 ? '' : 's'} detected: ${ctx.errors.join('; ')}`,
    );
  }
  return out;
}

function check(ctx: Context, shape: Shape, value: unknown): unknown {
  switch (shape.type) {
    case 'structure': {
      if (!isObject(value)) throw typeError(ctx, 'an object', value);
      const out: Record<string, unknown> = {};
      const members = shape.members;
      // Walk the model's members (not the body's keys): unknown members drop out for free,
      // and errors come in model order. Member names are PascalCase, so a plain lookup
      // cannot hit Object.prototype.
      for (const name in members) {
        const v = value[name];
        ctx.path.push(name);
        if (v === undefined || v === null) {
          if (shape.required?.includes(name)) addError(ctx, 'Value null', 'Member must not be null');
        } else {
          out[name] = check(ctx, ctx.shapes[members[name]], v);
        }
        ctx.path.pop();
      }
      return out;
    }
    case 'list': {
      if (!Array.isArray(value)) throw typeError(ctx, 'an array', value);
      // Nulls are dropped before validation, so indices in messages count the kept elements.
      const items = value.includes(null) ? value.filter((v) => v !== null) : value;
      checkSize(ctx, shape, items, items.length, 'length');
      const element = ctx.shapes[shape.member!];
      const out = new Array<unknown>(items.length);
      for (let i = 0; i < items.length; i++) {
        ctx.path.push(i);
        out[i] = check(ctx, element, items[i]);
        ctx.path.pop();
      }
      return out;
    }
    case 'map': {
      if (!isObject(value)) throw typeError(ctx, 'an object', value);
      const keys = Object.keys(value).filter((k) => value[k] !== null);
      checkSize(ctx, shape, value, keys.length, 'length');
      const keyShape = ctx.shapes[shape.key!];
      const valueShape = ctx.shapes[shape.value!];
      const out: Record<string, unknown> = {};
      for (const k of keys) {
        ctx.path.push({ key: k });
        check(ctx, keyShape, k);
        const v = check(ctx, valueShape, value[k]);
        // A client key named __proto__ must become an own property, not the prototype.
        if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
        else out[k] = v;
        ctx.path.pop();
      }
      return out;
    }
    case 'string': {
      if (typeof value !== 'string') throw typeError(ctx, 'a string', value);
      if (shape.min !== undefined || shape.max !== undefined) checkStringLength(ctx, shape, value);
      if (shape.pattern !== undefined) {
        const re = compilePattern(shape.pattern);
        if (re && !re.test(value)) {
          addConstraint(ctx, shape, value, `Member must satisfy regular expression pattern: ${shape.pattern}`);
        }
      }
      if (shape.enum && !shape.enum.includes(value)) {
        addConstraint(ctx, shape, value, `Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      }
      return value;
    }
    case 'blob': {
      if (typeof value !== 'string') throw typeError(ctx, 'a base64-encoded string', value);
      if (!BASE64.test(value)) {
        throw frontEndError('SerializationException', `Value of '${jsonPath(ctx.path)}' is not valid base64.`);
      }
      if (shape.min !== undefined || shape.max !== undefined) {
        checkSize(ctx, shape, value, base64Bytes(value), 'length');
      }
      return value;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number') throw typeError(ctx, 'a number (integer)', value);
      if (!Number.isInteger(value)) throw typeError(ctx, 'a number (integer)', value);
      const [lo, hi] = shape.type === 'integer' ? INT32 : INT53;
      if (value < lo || value > hi) {
        throw frontEndError('SerializationException', `Value of '${jsonPath(ctx.path)}' is out of range for ${shape.type === 'integer' ? 'an integer' : 'a long'}.`);
      }
      checkSize(ctx, shape, value, value, 'value');
      return value;
    }
    case 'double':
    case 'float':
      if (typeof value !== 'number') throw typeError(ctx, 'a number', value);
      checkSize(ctx, shape, value, value, 'value');
      return value;
    case 'timestamp':
      if (typeof value !== 'number') throw typeError(ctx, 'a number (epoch seconds)', value);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw typeError(ctx, 'a boolean', value);
      return value;
    default:
      return value;
  }
}

const INT32 = [-2147483648, 2147483647] as const;
// JSON numbers beyond 2^53 have already lost precision, so treat them as out of range.
const INT53 = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] as const;

/** Standard base64 with mandatory padding (what the SDKs send for blobs). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function base64Bytes(s: string): number {
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return (s.length / 4) * 3 - pad;
}

/** Length/count (`what` = 'length') or numeric value (`what` = 'value') bounds. */
function checkSize(ctx: Context, shape: Shape, value: unknown, n: number, what: 'length' | 'value'): void {
  if (shape.min !== undefined && n < shape.min) {
    addConstraint(ctx, shape, value, `Member must have ${what} greater than or equal to ${shape.min}`);
  }
  if (shape.max !== undefined && n > shape.max) {
    addConstraint(ctx, shape, value, `Member must have ${what} less than or equal to ${shape.max}`);
  }
}

/** Lengths are in code points; the UTF-16 length bounds it (cp <= len <= 2*cp), so we only count when it matters. */
function checkStringLength(ctx: Context, shape: Shape, s: string): void {
  const { min, max } = shape;
  const tooShort = min !== undefined && (s.length < min || (s.length < 2 * min && codePoints(s) < min));
  const tooLong = max !== undefined && s.length > max && codePoints(s) > max;
  if (tooShort) addConstraint(ctx, shape, s, `Member must have length greater than or equal to ${min}`);
  if (tooLong) addConstraint(ctx, shape, s, `Member must have length less than or equal to ${max}`);
}

function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

const patternCache = new Map<string, RegExp | null>();

/**
 * Model patterns are Java regexes applied with matches(), i.e. to the whole string, so
 * they are anchored here. Unicode mode first (closer to Java), then legacy mode for
 * patterns it rejects (e.g. `\!`); a pattern neither accepts is skipped (null).
 */
function compilePattern(pattern: string): RegExp | null {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    re = tryRegExp(`^(?:${pattern})$`, 'u') ?? tryRegExp(`^(?:${pattern})$`, '');
    patternCache.set(pattern, re);
  }
  return re;
}

function tryRegExp(source: string, flags: string): RegExp | null {
  try {
    return new RegExp(source, flags);
  } catch {
    return null;
  }
}

function addConstraint(ctx: Context, shape: Shape, value: unknown, constraint: string): void {
  // Sensitive values never appear in error messages.
  addError(ctx, shape.sensitive ? 'Value' : `Value '${display(shape, value)}'`, constraint);
}

function addError(ctx: Context, subject: string, constraint: string): void {
  (ctx.errors ??= []).push(`${subject} at '${awsPath(ctx.path)}' failed to satisfy constraint: ${constraint}`);
}

/** The value as AWS's Java front end prints it (Java toString of the deserialized value). */
function display(shape: Shape, value: unknown): string {
  if (shape.type === 'blob') {
    const n = base64Bytes(value as string);
    return `java.nio.HeapByteBuffer[pos=0 lim=${n} cap=${n}]`;
  }
  return javaString(value);
}

function javaString(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(javaString).join(', ')}]`;
  if (isObject(value)) {
    return `{${Object.entries(value).map(([k, v]) => `${k}=${javaString(v)}`).join(', ')}}`;
  }
  return String(value);
}

/** AWS style: lower-camel member names, list elements as `name.<1-based>.member`. */
function awsPath(path: Segment[]): string {
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') s += `.${seg + 1}.member`;
    else if (typeof seg === 'string') s += (s ? '.' : '') + seg.charAt(0).toLowerCase() + seg.slice(1);
    else s += `.${seg.key}`;
  }
  return s;
}

/** The path as the client wrote it, for SerializationException messages: `Filters[0].Values`. */
function jsonPath(path: Segment[]): string {
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else if (typeof seg === 'string') s += (s ? '.' : '') + seg;
    else s += `[${JSON.stringify(seg.key)}]`;
  }
  return s;
}

function typeError(ctx: Context, expected: string, value: unknown) {
  return frontEndError(
    'SerializationException',
    `Value of '${jsonPath(ctx.path)}' must be ${expected}, not ${describe(value)}.`,
  );
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a fractional number';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
