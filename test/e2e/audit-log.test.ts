// The audit log on a live server: one record per request of every API,
// allowed, denied or malformed; nothing secret in any record; fail closed
// when a sink cannot write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  GetRandomPasswordCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { clientConfig, startServer, tempDir, type TestServer } from '../support/coffer-server.js';
import { rawClientFor } from '../support/raw-client.js';

interface StoredRecord {
  requestID: string;
  eventName: string;
  eventSource: string;
  eventType: string;
  errorCode?: string;
  userIdentity: { type: string; arn?: string };
  additionalEventData?: { auditPhase: 'request' | 'outcome' };
}

/** The stopped server's audit records, in chain order. */
function records(server: TestServer): { json: string[]; parsed: StoredRecord[] } {
  const db = new Database(join(server.dataDir, 'audit.db'), { readonly: true });
  try {
    const json = (db.prepare('SELECT record FROM audit_entries ORDER BY sequence').all() as { record: string }[]).map((r) => r.record);
    return { json, parsed: json.map((j) => JSON.parse(j) as StoredRecord) };
  } finally {
    db.close();
  }
}

test('every request to every API leaves exactly one record of its outcome — allowed, refused or malformed — a change also one of its request before it, and no secret in any', async () => {
  const jsonl = join(tempDir(), 'audit', 'audit.jsonl');
  const server = await startServer({ args: ['--audit-file', jsonl] });
  const sm = new SecretsManagerClient(clientConfig(server));
  const kms = new KMSClient(clientConfig(server));
  const raw = rawClientFor(server);
  const marker = `audit-secret-${randomUUID()}`;
  const ids: string[] = [];
  const id = (meta: { $metadata: { requestId?: string } }) => ids.push(meta.$metadata.requestId!);
  const failedId = async (call: Promise<unknown>) => {
    const error = (await call.then(() => assert.fail('expected a refusal'), (e: unknown) => e)) as { $metadata: { requestId?: string } };
    ids.push(error.$metadata.requestId!);
  };
  try {
    id(await sm.send(new CreateSecretCommand({ Name: `audited-${randomUUID()}`, SecretString: marker })));
    const name = `audited-${randomUUID()}`;
    id(await sm.send(new CreateSecretCommand({ Name: name, SecretString: `${marker}-2` })));
    id(await sm.send(new GetSecretValueCommand({ SecretId: name })));
    id(await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: `${marker}-3` })));
    const password = await sm.send(new GetRandomPasswordCommand({}));
    id(password);
    await failedId(sm.send(new GetSecretValueCommand({ SecretId: 'no-such-secret' })));
    const key = await kms.send(new CreateKeyCommand({}));
    id(key);
    const encrypted = await kms.send(new EncryptCommand({ KeyId: key.KeyMetadata!.KeyId, Plaintext: Buffer.from(marker) }));
    id(encrypted);
    id(await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob })));
    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyMetadata!.KeyId, KeySpec: 'AES_256' }));
    id(dataKey);
    // Malformed and unauthenticated requests, through the raw client.
    for (const response of [
      await raw.call('secretsmanager.GetSecretValue', '{not json'),
      await raw.call('secretsmanager.NoSuchOperation', {}),
      await raw.call('secretsmanager.ListSecrets', {}, { sign: { credentials: { accessKeyId: server.accessKeyId, secretAccessKey: 'wrong' } } }),
      await raw.call('TrentService.Encrypt', {}, { sign: { service: 'kms' } }),
      await raw.call('CofferOperator.GetSealStatus', {}, { sign: { service: 'coffer' } }),
    ]) {
      ids.push(response.headers['x-amzn-requestid'] as string);
    }
    sm.destroy();
    kms.destroy();
    assert.equal(await server.stop(), 0);

    const { json, parsed } = records(server);
    const requests = parsed.filter((r) => r.additionalEventData?.auditPhase === 'request');
    const calls = parsed.filter((r) => r.eventType === 'AwsApiCall' && !requests.includes(r));
    for (const requestId of ids) {
      assert.equal(calls.filter((r) => r.requestID === requestId).length, 1, `request ${requestId} has exactly one record of its outcome`);
    }
    assert.equal(calls.length, ids.length, 'no record without a request');
    // The changes (two CreateSecret, PutSecretValue, CreateKey) were recorded before they acted; reads and KMS cryptography were not.
    assert.deepEqual(requests.map((r) => r.eventName).sort(), ['CreateKey', 'CreateSecret', 'CreateSecret', 'PutSecretValue']);
    for (const request of requests) {
      const outcome = parsed.findIndex((r) => r.requestID === request.requestID && r !== request);
      assert.ok(outcome > parsed.indexOf(request), `the request record of ${request.requestID} comes before its outcome`);
      assert.equal(parsed[outcome]!.additionalEventData?.auditPhase, 'outcome');
    }
    const byName = (n: string) => calls.filter((r) => r.eventName === n);
    assert.equal(byName('GetSecretValue').find((r) => r.errorCode)?.errorCode, 'ResourceNotFoundException');
    assert.ok(calls.some((r) => r.errorCode === 'InvalidSignatureException' && r.userIdentity.type === 'Unknown'));
    assert.ok(calls.some((r) => r.errorCode === 'SerializationException'));
    assert.ok(calls.some((r) => r.errorCode === 'UnknownOperationException'));
    assert.ok(byName('CreateSecret').every((r) => r.userIdentity.type === 'Root'));

    // Nothing secret, in the database or in the JSON Lines sink, which holds the same chain.
    const fileLines = readFileSync(jsonl, 'utf8').trim().split('\n');
    assert.equal(fileLines.length, json.length);
    const everything = [...json, ...fileLines].join('\n');
    const secrets = [marker, password.RandomPassword!, Buffer.from(dataKey.Plaintext!).toString('base64'), server.secretAccessKey, readFileSync(join(server.dataDir, 'root-key'), 'utf8').trim()];
    for (const secret of secrets) assert.ok(!everything.includes(secret), 'a secret value is in an audit record');
    assert.ok(!everything.includes(Buffer.from(marker).toString('base64')), 'an encrypted plaintext is in an audit record');
  } finally {
    if (server.process.exitCode === null) await server.stop();
  }
});

test('fail closed: with a sink that cannot write, PutSecretValue fails and changes nothing, GetSecretValue returns no value, /health is not ready', async () => {
  const first = await startServer();
  const sm = new SecretsManagerClient(clientConfig(first));
  await sm.send(new CreateSecretCommand({ Name: 'guarded', SecretString: 'original' }));
  sm.destroy();
  await first.stop();

  // A sink path under a regular file cannot be opened, whoever the server runs as.
  const blocker = join(tempDir(), 'not-a-directory');
  writeFileSync(blocker, '');
  const server = await startServer({ dataDir: first.dataDir, args: ['--audit-file', join(blocker, 'audit.jsonl'), '--audit-sink-timeout', '1000'] });
  const client = new SecretsManagerClient(clientConfig(server));
  try {
    const put = await client.send(new PutSecretValueCommand({ SecretId: 'guarded', SecretString: 'changed' })).catch((e: unknown) => e as Error & { $metadata: { httpStatusCode?: number } });
    assert.ok(put instanceof Error, 'PutSecretValue is refused');
    assert.equal(put.name, 'ServiceUnavailableException');
    assert.match(put.message, /could not record this request in its audit log/);
    const get = await client.send(new GetSecretValueCommand({ SecretId: 'guarded' })).catch((e: unknown) => e as Error);
    assert.ok(get instanceof Error, 'GetSecretValue is refused');
    assert.ok(!JSON.stringify(get).includes('original'), 'no value in the refusal');
    const health = await fetch(`${server.url}/health`);
    assert.equal(health.status, 503, '/health is not ready while the audit log cannot be written');
    assert.deepEqual(await health.json(), { status: 'unavailable' });
  } finally {
    client.destroy();
    await server.stop();
  }
  assert.ok(!existsSync(join(blocker, 'audit.jsonl')));
  const again = await startServer({ dataDir: first.dataDir });
  const reader = new SecretsManagerClient(clientConfig(again));
  try {
    assert.equal((await reader.send(new GetSecretValueCommand({ SecretId: 'guarded' }))).SecretString, 'original', 'the refused write had no effect');
  } finally {
    reader.destroy();
    await again.stop();
  }
});
