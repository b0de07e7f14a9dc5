import type { RootKeyManager } from '../../keys/root-key-manager.js';
import type { ProviderKind, RootKeyProvider } from '../../keys/root-key-providers.js';
import type { FileAnswer } from '../file-answer.js';

export interface OperatorApiDeps {
  rootKeys: RootKeyManager;
  /** Builds the provider a rotation moves to. */
  rootKeyProvider(request: {
    rootKeyProvider: ProviderKind;
    rootPassphrase?: string;
    rootKms?: { keyId?: string; endpoint?: string; region?: string };
  }): RootKeyProvider;
  /** A backup of the data directory, as a file to send; absent where the data is not in one (--dev, PostgreSQL). */
  backup?: () => Promise<FileAnswer>;
}
