import type { SecretReader } from '../../secrets/secret-reader.js';
import type { SecretService } from '../../secrets/secret-service.js';
import type { RotationService } from '../../rotation/rotation-service.js';
import type { KeyService } from '../../keys/key-service.js';
import type { ReplicationService } from '../../secrets/replication-service.js';

/** What the Secrets Manager handlers use: the domain, nothing below it. */
export interface SecretsApiDeps {
  secrets: SecretService;
  reader: SecretReader;
  rotation: RotationService;
  replication: ReplicationService;
  /** Customer managed keys: their key policies decide too when a secret uses one. */
  keys: KeyService;
}
