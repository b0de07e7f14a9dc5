/** W3C profile of ISO 8601: YYYY, YYYY-MM, YYYY-MM-DD, then hh:mm[:ss[.s]] with a zone designator. */
const ISO_8601 = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;
const EPOCH_SECONDS = /^-?\d+(?:\.\d+)?$/;

/**
 * Milliseconds since the epoch for a date condition value, or NaN. All-digit values are epoch
 * seconds (aws:EpochTime's form), so a bare year is read as seconds too; times without a zone are UTC.
 */
export function parsePolicyDate(text: string): number {
  if (EPOCH_SECONDS.test(text)) return Number(text) * 1000;
  const m = ISO_8601.exec(text);
  if (!m) return NaN;
  const [, year, month = '01', day = '01', hour = '00', minute = '00', second = '00', fraction = '', zone = 'Z'] = m;
  if (+month < 1 || +month > 12 || +day < 1 || +day > 31 || +hour > 23 || +minute > 59 || +second > 59) return NaN;
  const ms = Date.UTC(+year!, +month - 1, +day, +hour, +minute, +second, fraction ? Math.round(Number(fraction) * 1000) : 0);
  if (zone === 'Z') return ms;
  const offsetMinutes = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6));
  return zone[0] === '+' ? ms - offsetMinutes * 60_000 : ms + offsetMinutes * 60_000;
}
