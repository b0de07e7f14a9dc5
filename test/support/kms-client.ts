import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  KMSClient,
  type CreateKeyCommandInput,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig, startServer, type StartOptions, type TestServer } from './coffer-server.js';
import type { SdkError } from './sdk-errors.js';

/** The account and region every test server runs with (the server's default account, the clients' region). */
export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A KeyMaterialId: 64 lowercase hex characters. */
export const KEY_MATERIAL_ID = /^[0-9a-f]{64}$/;

export interface KmsTestServer {
  server: TestServer;
  kms: KMSClient;
  sm: SecretsManagerClient;
}

/**
 * One server for a whole test file, with a KMS and a Secrets Manager client
 * against it: started before its tests, and after them the clients closed and
 * the server stopped, which must exit cleanly.
 */
export function sharedKmsServer(options: StartOptions = {}): KmsTestServer {
  const shared = {} as KmsTestServer;
  before(async () => {
    shared.server = await startServer(options);
    shared.kms = new KMSClient(clientConfig(shared.server));
    shared.sm = new SecretsManagerClient(clientConfig(shared.server));
  });
  after(async () => {
    shared.kms.destroy();
    shared.sm.destroy();
    assert.equal(await shared.server.stop(), 0, `server did not exit cleanly:\n${shared.server.stderr()}`);
  });
  return shared;
}

export const keyArnOf = (keyId: string): string => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`;
export const aliasArnOf = (aliasName: string): string => `arn:aws:kms:${REGION}:${ACCOUNT}:${aliasName}`;

/** An alias name no other test uses: `alias/<prefix>-<random>`. */
export const uniqueAlias = (prefix: string): string => `alias/${prefix}-${randomUUID().slice(0, 8)}`;

/** KeyMetadata with the members every key has. */
export type Key = KeyMetadata & { KeyId: string; Arn: string };

export async function createKey(kms: KMSClient, input: CreateKeyCommandInput = {}): Promise<Key> {
  const { KeyMetadata: metadata } = await kms.send(new CreateKeyCommand(input));
  assert.ok(metadata?.KeyId && metadata.Arn, 'CreateKey returned no KeyId/Arn');
  return metadata as Key;
}

/** A new key with a new alias pointing at it. */
export async function createKeyWithAlias(kms: KMSClient, prefix: string): Promise<{ key: Key; alias: string }> {
  const key = await createKey(kms, { Description: prefix });
  const alias = uniqueAlias(prefix);
  await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId }));
  return { key, alias };
}

export async function describeKey(kms: KMSClient, keyId: string): Promise<Key> {
  return (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata as Key;
}

/** The four ways to name a key that DescribeKey, Encrypt, Decrypt.KeyId and GenerateDataKey accept. */
export function keyIdentifiers(key: Key, alias: string): Record<string, string> {
  return { 'key id': key.KeyId, 'key ARN': key.Arn, 'alias name': alias, 'alias ARN': aliasArnOf(alias) };
}

/** AWS KMS's error messages (kms-behaviour.md §8, the ones observed against AWS). */
export const KmsMessages = {
  disabled: (keyArn: string) => `${keyArn} is disabled.`,
  pendingDeletion: (keyArn: string) => `${keyArn} is pending deletion.`,
  notPendingDeletion: (keyArn: string) => `${keyArn} is not pending deletion.`,
  keyNotFound: (keyArn: string) => `Key '${keyArn}' does not exist`,
  aliasNotFound: (aliasArn: string) => `Alias ${aliasArn} is not found.`,
  invalidKeyId: (input: string) => `Invalid keyId '${input}'`,
  invalidArn: (region: string) => `Invalid arn ${region}`,
  incorrectKey: 'The key ID in the request does not identify a CMK that can perform this operation.',
  dryRun: 'The request would have succeeded, but the DryRun option is set.',
};

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Bytes as a Buffer, for byte-exact comparisons with assert.deepEqual. */
export const buf = (bytes: Uint8Array | undefined): Buffer => {
  assert.ok(bytes instanceof Uint8Array, `expected bytes, got ${typeof bytes}`);
  return Buffer.from(bytes);
};

/** Asserts `date` is a Date within `slackMs` of `expectedMs`. */
export function assertNear(date: Date | undefined, expectedMs: number, slackMs: number, what: string): void {
  assert.ok(date instanceof Date, `${what}: not a Date: ${String(date)}`);
  const off = date.getTime() - expectedMs;
  assert.ok(Math.abs(off) <= slackMs, `${what}: ${date.toISOString()} is ${off} ms from ${new Date(expectedMs).toISOString()}`);
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Error codes with which KMS refuses a caller's change to something it may not
 * change (an AWS-managed key, a reserved alias). AWS documents the refusal,
 * not its code, so any of these passes; "not implemented" answers do not.
 */
const REFUSAL_CODES = [
  'AccessDeniedException',
  'NotAuthorizedException',
  'UnsupportedOperationException',
  'KMSInvalidStateException',
  'InvalidAliasNameException',
  'InvalidArnException',
  'ValidationException',
  'TagException',
];

/** Awaits `promise`, which must be refused with HTTP 400 and one of the refusal codes above. */
export async function refused(promise: Promise<unknown>, what: string): Promise<void> {
  let error: SdkError | undefined;
  try {
    await promise;
  } catch (caught) {
    error = caught as SdkError;
  }
  assert.ok(error, `${what}: expected a refusal, but the call succeeded`);
  assert.ok(REFUSAL_CODES.includes(error.name), `${what}: expected one of ${REFUSAL_CODES.join(', ')}, got ${error.name}: ${error.message}`);
  assert.equal(error.$metadata?.httpStatusCode, 400, what);
}
