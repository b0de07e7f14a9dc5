/**
 * JSON with object keys sorted (by UTF-16 code unit, as Array.prototype.sort
 * does) at every depth and no whitespace, so that a record parsed back from
 * storage serializes to the very bytes that were hashed. Members whose value
 * is undefined are left out, as JSON.stringify does; values JSON cannot carry
 * exactly (non-finite numbers, bigints, functions) are refused rather than
 * silently changed.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot hold ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  }
  if (typeof value === 'object') {
    const members = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
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
