import type { KeyAdmin } from '../../keys/key-admin.js';
import type { KeyService } from '../../keys/key-service.js';

export interface KmsApiDeps {
  keys: KeyService;
  admin: KeyAdmin;
}
