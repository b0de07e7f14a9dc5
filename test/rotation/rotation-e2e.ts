// Helpers for rotations on a live server: register a function, wait for a rotation's end.
import assert from 'node:assert/strict';
import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { TestServer } from '../support/coffer-server.js';
import { rawClientFor } from '../support/raw-client.js';
import { uniqueName } from '../support/sdk-errors.js';

/** Registers a function as the administrator (CofferRotationFunctions.CreateRotationFunction); returns its ARN. */
export async function createRotationFunction(server: TestServer, prefix: string, command: string | undefined, settings: Record<string, unknown> = {}): Promise<string> {
  const request = { FunctionName: uniqueName(prefix).replace(/\//g, '-'), Kind: 'command', Command: command, TimeoutSeconds: 60, ...settings };
  const res = await rawClientFor(server).call('CofferRotationFunctions.CreateRotationFunction', request, { sign: { service: 'coffer' } });
  assert.equal(res.status, 200, res.text);
  return (res.json as { FunctionArn: string }).FunctionArn;
}

const LOOKUP = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents';

/** Waits until the secret's rotation ended one way or the other (AWSPENDING gone, or a RotationFailed event recorded). */
export async function rotationEnded(server: TestServer, sm: SecretsManagerClient, secretId: string, versionId: string): Promise<'succeeded' | 'failed'> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const d = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
    const stages = d.VersionIdsToStages?.[versionId] ?? [];
    if (stages.includes('AWSCURRENT') && !stages.includes('AWSPENDING')) return 'succeeded';
    if ((await failureOf(server, versionId)) !== undefined) return 'failed';
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`rotation of ${secretId} did not end`);
}

/**
 * The audit record (CloudTrail JSON) saying the rotation creating `versionId` failed, with the
 * step and the reason, if there is one. (The log says it too, but repeats within seconds are left out.)
 */
export async function failureOf(server: TestServer, versionId: string): Promise<string | undefined> {
  const res = await rawClientFor(server).call(LOOKUP, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'RotationFailed' }] }, { sign: { service: 'cloudtrail' } });
  assert.equal(res.status, 200, res.text);
  return (res.json.Events as Array<{ CloudTrailEvent: string }>).map((e) => e.CloudTrailEvent).find((record) => record.includes(versionId));
}

/** Asserts the rotation creating `versionId` failed at `step`, for a reason matching `reason`. */
export async function assertFailedAt(server: TestServer, versionId: string, step: string, reason: RegExp): Promise<void> {
  const record = await failureOf(server, versionId);
  assert.ok(record, `no RotationFailed record for ${versionId}`);
  assert.match(record, new RegExp(`"step":"${step}"`));
  assert.match(record, reason);
}
