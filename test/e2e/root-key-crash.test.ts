// A crash (SIGKILL) while rotate-root re-wraps the key material must leave a
// server that starts on the first try with every secret readable, and no
// copy of any root key in the database files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { RequestSigner } from '../../src/http/sigv4-signer.js';
import { clientConfig, startServer, type TestServer } from '../support/coffer-server.js';

const KEYS = 300;
const ROUNDS = 4;

function rotateRequest(server: TestServer): Promise<Response> {
  const url = new URL(server.url);
  const signed = new RequestSigner(server, 'us-east-1', 'coffer').sign(url.host, 'CofferOperator.RotateRootKey', '{}');
  const headers = Object.fromEntries(signed.headers.filter(([name]) => name !== 'Host' && name !== 'Content-Length'));
  // A connection cut by the kill may leave fetch unsettled with nothing else keeping the test alive: bound it.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 10_000);
  return fetch(server.url, { method: 'POST', headers, body: signed.body, signal: abort.signal }).finally(() => clearTimeout(timer));
}

function databaseBytes(dataDir: string): Buffer {
  return Buffer.concat(['coffer.db', 'coffer.db-wal'].map((f) => join(dataDir, f)).filter(existsSync).map((f) => readFileSync(f)));
}

test(`SIGKILL during rotate-root (${ROUNDS} rounds, ${KEYS} keys to re-wrap) leaves every secret readable`, async () => {
  let server = await startServer();
  const secrets = new Map<string, string>();
  try {
    const kms = new KMSClient(clientConfig(server));
    const sm = new SecretsManagerClient(clientConfig(server));
    const keyIds: string[] = [];
    for (let i = 0; i < KEYS; i++) keyIds.push((await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!);
    for (let i = 0; i < 30; i++) {
      const name = `crash-rotate-${i}`;
      secrets.set(name, `value ${i}`);
      await sm.send(new CreateSecretCommand({ Name: name, SecretString: `value ${i}`, KmsKeyId: i % 2 ? keyIds[i * 7] : undefined }));
    }
    kms.destroy();
    sm.destroy();

    const rootKeys = new Set<string>([readFileSync(join(server.dataDir, 'root-key'), 'utf8').trim()]);
    for (let round = 0; round < ROUNDS; round++) {
      const pending = rotateRequest(server).catch(() => undefined);
      // Somewhere between before the transaction and after it: each round lands elsewhere.
      await new Promise((resolve) => setTimeout(resolve, [0, 15, 40, 120][round]));
      await server.kill();
      await pending;
      server = await startServer({ dataDir: server.dataDir });
      assert.ok(!existsSync(join(server.dataDir, 'root-key.next')), 'the interrupted rotation was finished or undone at start');
      rootKeys.add(readFileSync(join(server.dataDir, 'root-key'), 'utf8').trim());
      const reader = new SecretsManagerClient(clientConfig(server));
      for (const [name, value] of secrets) {
        assert.equal((await reader.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, value, `round ${round}: ${name}`);
      }
      reader.destroy();
    }
    const stored = databaseBytes(server.dataDir);
    for (const key of rootKeys) {
      assert.equal(stored.indexOf(Buffer.from(key, 'base64')), -1, 'a root key is in the database files');
      assert.equal(stored.indexOf(Buffer.from(key)), -1, 'a root key (base64) is in the database files');
    }
  } finally {
    await server.stop();
  }
});
