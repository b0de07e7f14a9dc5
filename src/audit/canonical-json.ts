/**
 * JSON with object keys sorted (by UTF-16 code unit, as Array.prototype.sort
 * does) at every depth and no whitespace, so that a record parsed back from
 * storage serializes to the very bytes that were hashed. Members whose value
 * is undefined are left out, as JSON.stringify does; values JSON cannot carry
 * exactly (non-finite numbers, bigints, functions) are refused rather than
 * silently changed. Built by concatenation rather than map/filter/join: the
 * main thread serializes every request's record this way.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot hold ${value}`);
      return JSON.stringify(value);
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? arrayJson(value) : objectJson(value as Record<string, unknown>);
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}

function arrayJson(items: readonly unknown[]): string {
  let text = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) text += ',';
    const item = items[i];
    text += item === undefined ? 'null' : canonicalJson(item);
  }
  return `${text}]`;
}

function objectJson(object: Record<string, unknown>): string {
  let text = '{';
  for (const key of Object.keys(object).sort()) {
    const member = object[key];
    if (member === undefined) continue;
    if (text.length > 1) text += ',';
    text += `${JSON.stringify(key)}:${canonicalJson(member)}`;
  }
  return `${text}}`;
}

/** Canonical JSON of each record, made once: the chain hash, the database row and the file sinks all need it. */
const recordTexts = new WeakMap<object, string>();

export function canonicalRecordJson(record: object): string {
  let text = recordTexts.get(record);
  if (text === undefined) {
    text = canonicalJson(record);
    recordTexts.set(record, text);
  }
  return text;
}
