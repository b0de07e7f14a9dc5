import { ServiceError } from '../errors/service-error.js';
import type { KmsKeyRecord, Repositories, SecretRecord } from '../storage/index.js';
import { sealedVersion, type SecretCipher } from './secret-cipher.js';
import { stagesOfSecret } from './secret-lookup.js';

const REWRAPPED_LABELS = ['AWSCURRENT', 'AWSPENDING', 'AWSPREVIOUS'];
/** Earlier wrappings kept per version: enough for a key change to be undone without losing access. */
const MAX_PREVIOUS_WRAPPINGS = 3;

/**
 * After a change of a secret's key (`secret.kmsKeyArn`, resolved as `key`), the versions labelled
 * AWSCURRENT, AWSPENDING and AWSPREVIOUS get their data key wrapped by the new key too, as AWS
 * does; the old wrapping is kept, so the old key still opens them. A version the old key can no
 * longer open stays as it is. `cipher` reads through the unit `tx`.
 */
export async function rewrapLabelledVersions(tx: Repositories, cipher: SecretCipher, key: KmsKeyRecord, secret: SecretRecord): Promise<void> {
  const stages = await stagesOfSecret(tx, secret.id);
  const versionIds = new Set(REWRAPPED_LABELS.map((label) => stages.get(label)).filter((id) => id !== undefined));
  for (const versionId of versionIds) {
    const version = await tx.secrets.version(secret.id, versionId);
    const sealed = version && sealedVersion(version);
    if (!sealed || cipher.wrappedBy(sealed) === key.id) continue;
    let wrappedDataKey: Buffer;
    try {
      wrappedDataKey = await cipher.rewrap(secret.arn, sealed, key);
    } catch (error) {
      if (error instanceof ServiceError && error.code === 'DecryptionFailure') continue;
      throw error;
    }
    const previous = [{ kmsKeyArn: version.kmsKeyArn, wrappedDataKey: sealed.wrappedDataKey }, ...(sealed.previousWrappings ?? [])];
    await tx.secrets.fillVersion({ ...version, wrappedDataKey, kmsKeyArn: secret.kmsKeyArn, previousWrappings: previous.slice(0, MAX_PREVIOUS_WRAPPINGS) });
  }
}
