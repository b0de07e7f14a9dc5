import { postSignedJson, type Connection } from '../../client/signed-json-request.js';
import type { FetchedSecret } from './secret-env.js';

/** BatchGetSecretValue's limit of secrets per call. */
const PER_CALL = 20;

interface BatchAnswer {
  SecretValues?: FetchedSecret[];
  Errors?: { SecretId: string; ErrorCode: string; Message?: string }[];
}

/** Whether a secret is the one `secretId` names: by its name, its ARN, or its ARN without the random suffix. */
export function answers(secret: { Name: string; ARN: string }, secretId: string): boolean {
  return secret.Name === secretId || secret.ARN === secretId || (secretId.startsWith('arn:') && secret.ARN.startsWith(`${secretId}-`) && secret.ARN.length === secretId.length + 7);
}

/**
 * The current values of the secrets, in one BatchGetSecretValue per twenty, keyed by the id as
 * asked. A secret that cannot be read fails the whole read, naming the secret and the error
 * (never a value).
 */
export async function batchGetSecrets(connection: Connection, secretIds: string[]): Promise<Map<string, FetchedSecret>> {
  const unique = [...new Set(secretIds)];
  const found = new Map<string, FetchedSecret>();
  for (let i = 0; i < unique.length; i += PER_CALL) {
    const ids = unique.slice(i, i + PER_CALL);
    const answer = (await postSignedJson(connection, 'secretsmanager', 'secretsmanager.BatchGetSecretValue', { SecretIdList: ids })) as BatchAnswer;
    const failed = answer.Errors?.[0];
    if (failed) throw new Error(`the secret ${failed.SecretId} cannot be read: ${failed.ErrorCode}${failed.Message ? `: ${failed.Message}` : ''}`);
    for (const id of ids) {
      const secret = answer.SecretValues?.find((value) => answers(value, id));
      if (!secret) throw new Error(`the secret ${id} was not in the answer`);
      found.set(id, secret);
    }
  }
  return found;
}
