import type { SecretFilter } from '../../secrets/list-filters.js';
import type { Filter } from './types.generated.js';

/** Decodes the base64 `SecretBinary` of a validated request into bytes for the domain. */
export function withBinary<Request extends { SecretBinary?: string }>(input: Request): Omit<Request, 'SecretBinary'> & { SecretBinary?: Buffer } {
  const { SecretBinary, ...rest } = input;
  return SecretBinary === undefined ? rest : { ...rest, SecretBinary: Buffer.from(SecretBinary, 'base64') };
}

/**
 * A request's Filters as the domain reads them: the model leaves a filter's Key and Values
 * optional, and the domain refuses a filter without them (src/secrets/list-filters.ts).
 */
export function withFilters<Request extends { Filters?: Filter[] }>(input: Request): Omit<Request, 'Filters'> & { Filters?: SecretFilter[] } {
  return input as Omit<Request, 'Filters'> & { Filters?: SecretFilter[] };
}
