import type { SecretReader } from '../../secrets/secret-reader.js';
import type { SecretService } from '../../secrets/secret-service.js';

/** What the Secrets Manager handlers use: the domain, nothing below it. */
export interface SecretsApiDeps {
  secrets: SecretService;
  reader: SecretReader;
}
