import { SecretsErrors } from '../errors/service-error.js';

/** The attributes of a secret that ListSecrets / BatchGetSecretValue filters can see. */
export interface FilterableSecret {
  name: string;
  description?: string;
  tags: { Key: string; Value: string }[];
  primaryRegion?: string;
  owningService?: string;
}

export interface SecretFilter {
  Key: string;
  Values: string[];
}

const FILTER_KEYS = new Set(['description', 'name', 'tag-key', 'tag-value', 'primary-region', 'owning-service', 'all']);

/** Request-level checks; the model's enum/length validation normally runs first. */
export function validateFilters(filters: SecretFilter[] | undefined): void {
  for (const filter of filters ?? []) {
    if (!FILTER_KEYS.has(filter?.Key)) {
      throw SecretsErrors.invalidParameter(
        `Invalid filter key: ${String(filter?.Key)}. Valid keys are: ${[...FILTER_KEYS].join(', ')}.`,
      );
    }
    if (!Array.isArray(filter.Values) || filter.Values.length === 0) {
      throw SecretsErrors.invalidParameter(`Invalid filter values for key ${filter.Key}: Values must not be empty.`);
    }
    if (filter.Values.some((v) => typeof v !== 'string')) {
      throw SecretsErrors.invalidParameter(`Invalid filter values for key ${filter.Key}: values must be strings.`);
    }
  }
}

/**
 * Separate filters are AND-ed (even on the same key). Within one filter a secret passes when it
 * matches at least one positive value (or there are none) AND matches none of the `!` values:
 * so `["a", "!ab"]` means "starts with a but not ab", and a filter of only `!` values is a pure
 * exclusion.
 */
export function matchesFilters(secret: FilterableSecret, filters: SecretFilter[]): boolean {
  return filters.every((filter) => {
    const matches = matcherFor(secret, filter.Key);
    const positives = filter.Values.filter((v) => !v.startsWith('!'));
    const negated = filter.Values.filter((v) => v.startsWith('!')).map((v) => v.slice(1));
    return (positives.length === 0 || positives.some(matches)) && !negated.some(matches);
  });
}

function matcherFor(secret: FilterableSecret, key: string): (value: string) => boolean {
  const tagKeys = secret.tags.map((t) => t.Key);
  const tagValues = secret.tags.map((t) => t.Value);
  const optional = (attr: string | undefined) => (attr === undefined ? [] : [attr]);
  switch (key) {
    case 'name':
      return prefixMatcher([secret.name]);
    case 'tag-key':
      return prefixMatcher(tagKeys);
    case 'tag-value':
      return prefixMatcher(tagValues);
    case 'primary-region':
      return prefixMatcher(optional(secret.primaryRegion));
    case 'owning-service':
      return prefixMatcher(optional(secret.owningService));
    case 'description':
      return wordMatcher(optional(secret.description));
    case 'all':
      return wordMatcher([secret.name, ...optional(secret.description), ...tagKeys, ...tagValues]);
    default:
      throw SecretsErrors.invalidParameter(`Invalid filter key: ${key}.`);
  }
}

/** Case-sensitive prefix match against any of the attribute values (none → never matches). */
function prefixMatcher(attributes: string[]): (value: string) => boolean {
  return (value) => attributes.some((attr) => attr.startsWith(value));
}

/**
 * Word search (AWS behaviour for `description` and `all`): every term of the value must
 * case-insensitively prefix some word of the attributes. The value is split with the same rules
 * as the attributes (not just on spaces), so searching for an attribute's own text such as
 * `MyTest` or `my-app` finds it; a value with no terms (a lone `+`) matches nothing.
 */
function wordMatcher(attributes: string[]): (value: string) => boolean {
  const words = attributes.flatMap(splitWords).map((w) => w.toLowerCase());
  return (value) => {
    const terms = splitWords(value).map((t) => t.toLowerCase());
    return terms.length > 0 && terms.every((term) => words.some((word) => word.startsWith(term)));
  };
}

const SEPARATORS = /[/_+=.@\- ]+/;
// lower→Upper (`MyTest` → My|Test), and before the last capital of a run that starts a
// lowercase word (`COMPANYthings` → COMPAN|Ythings), matching what AWS was observed to do.
const CASE_BOUNDARY = /(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/;

export function splitWords(text: string): string[] {
  return text
    .split(SEPARATORS)
    .flatMap((part) => part.split(CASE_BOUNDARY))
    .filter((word) => word.length > 0);
}

/**
 * A name prefix storage may use to narrow its scan (e.g. an index range on name). Only offered
 * when it is unambiguous: exactly one `name` filter with exactly one non-empty positive value.
 * Every result must still go through matchesFilters.
 */
export function filterPrefixHints(filters: SecretFilter[] | undefined): { namePrefix?: string } {
  const nameFilters = (filters ?? []).filter((f) => f.Key === 'name');
  if (nameFilters.length !== 1) return {};
  const positives = nameFilters[0].Values.filter((v) => !v.startsWith('!'));
  return positives.length === 1 && positives[0] !== '' ? { namePrefix: positives[0] } : {};
}
