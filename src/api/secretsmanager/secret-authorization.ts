import { tagMap, type ContextValue } from '../../iam/policy/index.js';
import { withRequestTags } from '../request-tags.js';
import { arnInRegion, newSecretArn } from '../../secrets/secret-arn.js';
import type { SecretRecord } from '../../storage/index.js';
import { effectiveKeyPolicy } from '../../keys/key-policy.js';
import { DEFAULT_KEY_ALIAS } from '../../secrets/secret-service.js';
import { unpackPolicy } from '../../secrets/principal-bindings.js';
import type { AnyRequest, Authorization, RequestContext, RequestTarget } from '../operation.js';
import type { SecretsApiDeps } from './secrets-manager-deps.js';
import type { CreateSecretRequest, Operations } from './types.generated.js';

/** A Secrets Manager request, of whichever operation. */
type SecretsRequest = AnyRequest<Operations>;

/** Request fields that become secretsmanager: condition keys (Secrets Manager's permissions reference). */
const CONDITION_FIELDS: [keyof SecretsRequest, string][] = [
  ['Description', 'secretsmanager:Description'],
  ['KmsKeyId', 'secretsmanager:KmsKeyId'],
  ['VersionId', 'secretsmanager:VersionId'],
  ['VersionStage', 'secretsmanager:VersionStage'],
  ['RotationLambdaARN', 'secretsmanager:RotationLambdaARN'],
  ['BlockPublicPolicy', 'secretsmanager:BlockPublicPolicy'],
  ['RecoveryWindowInDays', 'secretsmanager:RecoveryWindowInDays'],
  ['ForceDeleteWithoutRecovery', 'secretsmanager:ForceDeleteWithoutRecovery'],
];

/** What authorization reads: the secrets and keys. */
type AuthorizationDeps = Pick<SecretsApiDeps, 'reader' | 'keys'>;

/** Operations on no particular secret: authorized on `*`. */
const ACCOUNT_OPERATIONS = new Set(['ListSecrets', 'GetRandomPassword']);

/**
 * What each Secrets Manager request is authorized against: the secret it names
 * (its ARN, tags and resource policy) with the request's condition keys.
 * CreateSecret authorizes in its handler, against the ARN the secret will get.
 */
export function secretAuthorization(deps: SecretsApiDeps): Authorization<SecretsRequest, keyof Operations> {
  return async (ctx, operation, input) => {
    if (operation === 'CreateSecret') return 'handler';
    if (ACCOUNT_OPERATIONS.has(operation) || input.SecretId === undefined) return undefined;
    if (operation === 'BatchGetSecretValue') {
      // Each secret is then checked for GetSecretValue as it is read; filters also list secrets.
      return input.Filters === undefined ? undefined : [{ resource: '*' }, { action: 'secretsmanager:ListSecrets', resource: '*' }];
    }
    return secretTargets(deps, ctx, operation, input.SecretId, input);
  };
}

/** The secret's target, and its keys' where the operation opens or creates a data key. */
export async function secretTargets(
  deps: AuthorizationDeps,
  ctx: RequestContext,
  operation: string,
  secretId: string,
  input: SecretsRequest = {},
): Promise<RequestTarget[]> {
  const { target, secret } = await secretTarget(deps, ctx, secretId, input, operation === 'TagResource' || operation === 'UntagResource');
  const keys: RequestTarget[] = [];
  for (const [ref, action] of await keyUses(deps, ctx, operation, input, secret)) {
    const key = await keyTarget(deps, ctx, ref, action, target.resource);
    if (key) keys.push(key);
  }
  const replicaKeys = operation === 'ReplicateSecretToRegions' ? await replicaKeyTargets(deps, ctx, input, target.resource) : [];
  return [target, ...keys, ...replicaKeys, ...functionTargets(operation, input, secret)];
}

/**
 * Replicas sealed under customer managed keys: the caller needs kms:GenerateDataKey and
 * kms:Encrypt on each, in its region (through Secrets Manager there), as AWS documents.
 */
async function replicaKeyTargets(deps: AuthorizationDeps, ctx: RequestContext, input: SecretsRequest, secretArn: string): Promise<RequestTarget[]> {
  const targets: RequestTarget[] = [];
  for (const { Region: region, KmsKeyId: ref } of input.AddReplicaRegions ?? []) {
    if (!ref) continue;
    for (const action of ['kms:GenerateDataKey', 'kms:Encrypt']) {
      const key = await keyTarget(deps, ctx, ref, action, arnInRegion(secretArn, region ?? ''), region);
      if (key) targets.push(key);
    }
  }
  return targets;
}

/**
 * RotateSecret has the function run on the caller's say-so: as in AWS, the caller needs
 * lambda:InvokeFunction on it (the one given, or the one the secret already names).
 */
function functionTargets(operation: string, input: SecretsRequest, secret: SecretRecord | undefined): RequestTarget[] {
  if (operation !== 'RotateSecret') return [];
  const functionArn = input.RotationLambdaARN ?? secret?.rotation?.lambdaArn;
  return functionArn ? [{ action: 'lambda:InvokeFunction', resource: functionArn }] : [];
}

/** What a Secrets Manager operation asks of the secret's KMS key. */
const KEY_USAGE: Record<string, string[]> = {
  GetSecretValue: ['kms:Decrypt'],
  PutSecretValue: ['kms:GenerateDataKey'],
  // Coffer's rotation functions read the current value and seal the new one on the caller's behalf.
  RotateSecret: ['kms:Decrypt', 'kms:GenerateDataKey'],
  // The value is opened to be sealed again under each replica's key.
  ReplicateSecretToRegions: ['kms:Decrypt'],
};

/**
 * The keys an operation uses, with the permission each needs. Changing a secret's key
 * opens its data keys with the old key and wraps them with the new one, so the caller
 * needs kms:Decrypt on the old key and kms:GenerateDataKey and kms:Encrypt on the new.
 */
async function keyUses(
  deps: AuthorizationDeps,
  ctx: RequestContext,
  operation: string,
  input: SecretsRequest,
  secret: SecretRecord | undefined,
): Promise<Array<[string, string]>> {
  const current = secret?.kmsKeyArn || DEFAULT_KEY_ALIAS;
  const writesValue = input.SecretString !== undefined || input.SecretBinary !== undefined;
  if (operation !== 'UpdateSecret') return (KEY_USAGE[operation] ?? []).map((action) => [current, action]);
  const uses: Array<[string, string]> = writesValue && input.KmsKeyId === undefined ? [[current, 'kms:GenerateDataKey']] : [];
  if (input.KmsKeyId === undefined) return uses;
  const requested = input.KmsKeyId || DEFAULT_KEY_ALIAS;
  uses.push([requested, 'kms:GenerateDataKey']);
  const [from, to] = await Promise.all([current, requested].map((ref) => deps.keys.resolveKey(ctx.scope, ref).catch(() => undefined)));
  if (secret && from && from.id !== to?.id) uses.push([requested, 'kms:Encrypt'], [current, 'kms:Decrypt']);
  return uses;
}

/**
 * Secrets Manager uses a key on the caller's behalf: the key's policy must let the
 * caller use it through Secrets Manager (kms:ViaService), as AWS requires. The AWS
 * managed key's policy lets any caller of the account do so, and only so. A key
 * that no longer resolves is left to the operation, which fails on it.
 */
async function keyTarget(
  deps: AuthorizationDeps,
  ctx: RequestContext,
  ref: string,
  action: string,
  secretArn: string,
  region = ctx.scope.region,
): Promise<RequestTarget | undefined> {
  const key = await deps.keys.resolveKey({ ...ctx.scope, region }, ref).catch(() => undefined);
  if (!key) return undefined;
  return {
    action,
    resource: key.arn,
    resourcePolicy: effectiveKeyPolicy(key),
    resourcePolicyRequired: true,
    resourceTags: tagMap(key.tags),
    context: {
      'kms:ViaService': `secretsmanager.${region}.amazonaws.com`,
      'kms:CallerAccount': ctx.scope.account,
      'kms:EncryptionContext:SecretARN': secretArn,
      'kms:EncryptionContextKeys': ['SecretARN', 'SecretVersionId'],
    },
    deniedMessage: 'Access to KMS is not allowed',
  };
}

/** The target of a request on an existing (or missing) secret named by `secretId`. */
async function secretTarget(
  deps: AuthorizationDeps,
  ctx: RequestContext,
  secretId: string,
  input: SecretsRequest = {},
  tagging = false,
): Promise<{ target: RequestTarget; secret?: SecretRecord }> {
  const secret = await deps.reader.peek(ctx.scope, secretId);
  // A secret that does not exist is checked as AWS does, against an ARN of its name:
  // a caller allowed on it then learns it is missing, one not allowed is refused.
  const resource = secret?.arn ?? (secretId.startsWith('arn:') ? secretId : newSecretArn(ctx.scope, secretId));
  const target = {
    resource,
    ...storedPolicy(secret?.resourcePolicy),
    resourceTags: secret && tagMap(secret.tags),
    ...requestTags(input, tagging, { 'secretsmanager:SecretId': resource }),
  };
  return { target, secret };
}

/** CreateSecret's targets: the ARN the new secret is given (or the existing one's, for a repeated request), and its key. */
export async function newSecretTargets(deps: AuthorizationDeps, ctx: RequestContext, input: CreateSecretRequest): Promise<{ targets: RequestTarget[]; arn?: string }> {
  const name = input.Name;
  const existing = await deps.reader.peek(ctx.scope, name);
  const arn = existing?.arn ?? newSecretArn(ctx.scope, name);
  const target: RequestTarget = {
    resource: arn,
    ...storedPolicy(existing?.resourcePolicy),
    resourceTags: existing && tagMap(existing.tags),
    ...requestTags(input, true, { 'secretsmanager:Name': name, 'secretsmanager:SecretId': arn }),
  };
  const key = input.KmsKeyId === undefined ? undefined : await keyTarget(deps, ctx, input.KmsKeyId, 'kms:GenerateDataKey', arn);
  // Replicas asked for at creation need what ReplicateSecretToRegions needs.
  const replicas: RequestTarget[] = input.AddReplicaRegions
    ? [{ ...target, action: 'secretsmanager:ReplicateSecretToRegions' }, ...(await replicaKeyTargets(deps, ctx, input, arn))]
    : [];
  return { targets: [target, ...(key ? [key] : []), ...replicas], arn: existing ? undefined : arn };
}

/** The request's condition keys: its secretsmanager: fields, `extra`, and for tagging requests the tags. */
function requestTags(input: SecretsRequest, tagging: boolean, extra: Record<string, ContextValue>): Pick<RequestTarget, 'requestTags' | 'context'> {
  const context: Record<string, ContextValue> = { ...extra };
  for (const [field, key] of CONDITION_FIELDS) {
    const value = input[field];
    if (value !== undefined) context[key] = String(value);
  }
  return tagging ? withRequestTags(context, input.Tags, input.TagKeys) : { context };
}

/** A secret's stored resource policy as authorization reads it: the document and the principals' ids. */
function storedPolicy(stored: string | undefined): Pick<RequestTarget, 'resourcePolicy' | 'principalIds'> {
  if (stored === undefined) return {};
  const { document, principalIds } = unpackPolicy(stored);
  return { resourcePolicy: document, principalIds };
}
