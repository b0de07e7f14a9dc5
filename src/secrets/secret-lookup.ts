import { SecretsErrors } from '../errors/service-error.js';
import type { Repositories, SecretRecord } from '../storage/index.js';
import { parseSecretId } from './secret-arn.js';
import { ReplicationErrors } from './replication-errors.js';
import type { RequestScope } from '../shared/request-scope.js';
import { stageMapOf, type StageMap } from './staging-labels.js';

/** Finds the secret a SecretId names in the caller's account and region, or throws ResourceNotFoundException. */
export async function findSecret(repos: Repositories, scope: RequestScope, secretId: string): Promise<SecretRecord> {
  const found = await lookup(repos, scope, secretId);
  if (!found) throw SecretsErrors.notFound();
  return found;
}

/** Finds a secret a request may change: a replica is changed only through its primary. */
export async function findWritable(repos: Repositories, scope: RequestScope, secretId: string): Promise<SecretRecord> {
  const secret = await findSecret(repos, scope, secretId);
  assertNotReplica(secret);
  return secret;
}

export function assertNotReplica(secret: SecretRecord): void {
  if (secret.primaryRegion !== undefined) throw ReplicationErrors.notPermittedOnReplica();
}

export async function lookup(repos: Repositories, scope: RequestScope, secretId: string): Promise<SecretRecord | undefined> {
  const key = parseSecretId(scope, secretId);
  if (!key) return undefined;
  return 'arn' in key ? repos.secrets.findByArn(key.arn) : repos.secrets.findByName(key.account, key.region, key.name);
}

/** The staging labels of one secret, label → versionId. */
export async function stagesOfSecret(repos: Repositories, secretId: number): Promise<StageMap> {
  return stageMapOf((await repos.secrets.stagesOf([secretId])).get(secretId));
}

export function assertNotDeleted(secret: SecretRecord): void {
  if (secret.deletedAt !== undefined) {
    throw SecretsErrors.invalidRequest(
      "You can't perform this operation on the secret because it was marked for deletion.",
    );
  }
}
