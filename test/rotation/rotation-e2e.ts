// Helpers for rotations on a live server: register a function, wait for a rotation's end.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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

/** Waits until the secret's rotation ended one way or the other (AWSPENDING gone, or the log says it failed). */
export async function rotationEnded(server: TestServer, sm: SecretsManagerClient, secretId: string, versionId: string): Promise<'succeeded' | 'failed'> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const d = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
    const stages = d.VersionIdsToStages?.[versionId] ?? [];
    if (stages.includes('AWSCURRENT') && !stages.includes('AWSPENDING')) return 'succeeded';
    if (failureOf(server, versionId) !== undefined) return 'failed';
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`rotation of ${secretId} did not end`);
}

/** The log line saying the rotation creating `versionId` failed, if there is one. */
export function failureOf(server: TestServer, versionId: string): string | undefined {
  return readFileSync(server.logFile, 'utf8').split('\n').find((l) => l.includes(versionId) && l.includes('rotation failed'));
}
