/** `coffer/client`: a caching client of Secrets Manager for Node.js programs, kept fresh by Coffer's change feed. */
export { SecretCache } from './secret-cache.js';
export type { GetOptions, SecretCacheOptions, SecretValue } from './secret-cache.js';
