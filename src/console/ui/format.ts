/** JSON 1.1 dates are epoch seconds; query-protocol ones ISO 8601 text. */
export function formatTime(value: number | string | undefined): string {
  if (value === undefined || value === '') return '—';
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** A pretty-printed JSON document, or the text as it is when it is not JSON. */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** IAM answers policy documents URL-encoded. */
export function policyText(encoded: string): string {
  try {
    return prettyJson(decodeURIComponent(encoded));
  } catch {
    return encoded;
  }
}
