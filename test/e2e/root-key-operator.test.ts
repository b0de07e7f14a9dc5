// Root key providers and the operator commands, against live servers: Shamir
// init / unseal / seal, the kms provider with a second Coffer as the external
// KMS, and rotate-root (also moving to another provider).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '../../src/rotation/invokers/webhook-signature.js';
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { BIN, clientConfig, loggedLine, readCredentials, startServer, tempDir, type TestServer } from '../support/coffer-server.js';
import { cleanEnv, describeRun, run } from '../support/child-process.js';
import { operator, operatorOk } from '../support/operator-cli.js';

function secrets(server: TestServer): SecretsManagerClient {
  const { accessKeyId, secretAccessKey } = readCredentials(join(server.dataDir, 'credentials'));
  return new SecretsManagerClient({ ...clientConfig(server), credentials: { accessKeyId, secretAccessKey } });
}

async function readValue(server: TestServer, name: string): Promise<string | undefined> {
  const client = secrets(server);
  try {
    return (await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString;
  } finally {
    client.destroy();
  }
}

async function putSecret(server: TestServer, name: string, value: string): Promise<void> {
  const client = secrets(server);
  try {
    await client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
  } finally {
    client.destroy();
  }
}

test('shamir: the server starts sealed; init prints shares; a threshold of them unseals; seal forgets the key', async () => {
  let server = await startServer({ args: ['--root-key-provider', 'shamir'] });
  try {
    assert.deepEqual(JSON.parse(await operatorOk(server, ['status'])), { sealed: true, initialized: false, provider: 'shamir', progress: 0 });
    // Before its first unseal there is no credentials file to point at, and init is what comes next.
    assert.doesNotMatch(server.stderr(), /Administrator credentials:/);
    assert.match(server.stderr(), /credentials are written to .*credentials once it is initialized and unsealed/);
    const noRootKey = /has no root key yet: make it with `coffer operator init/;
    assert.match(await loggedLine(server, noRootKey), noRootKey);
    const health = await fetch(`${server.url}/health`);
    assert.notEqual(health.status, 200, 'a sealed server is not healthy');
    // Live (a supervisor must not restart it) but not ready (a load balancer sends it nothing), and why.
    assert.equal((await fetch(`${server.url}/health/live`)).status, 200);
    const ready = await fetch(`${server.url}/health/ready`);
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { status: 'unavailable', reasons: ['sealed: unseal it (coffer operator status)'] });

    const shares = (await operatorOk(server, ['init', '--shares', '5', '--threshold', '3'])).trim().split('\n');
    assert.equal(shares.length, 5);
    assert.equal(new Set(shares).size, 5);
    assert.ok(!(await operator(server, ['init', '--shares', '3', '--threshold', '2'])).ok, 'init runs once');

    // A signed call while sealed: a clear 503, whatever the credentials.
    const sealedCall = await fetch(server.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'secretsmanager.ListSecrets' },
      body: '{}',
    });
    assert.equal(sealedCall.status, 503);
    assert.match(((await sealedCall.json()) as { message: string }).message, /sealed/);

    assert.equal(JSON.parse(await operatorOk(server, ['unseal', shares[4]!])).progress, 1);
    const typo = shares[1]!.slice(0, -3) + (shares[1]!.endsWith('A') ? 'BBB' : 'AAA');
    const refused = await operator(server, ['unseal', typo]);
    assert.ok(!refused.ok && /mistyped/.test(refused.stderr), refused.describe());
    assert.equal(JSON.parse(await operatorOk(server, ['unseal', shares[1]!])).progress, 2);
    const unsealed = JSON.parse(await operatorOk(server, ['unseal', shares[2]!]));
    assert.equal(unsealed.sealed, false);
    assert.ok(existsSync(join(server.dataDir, 'credentials')), 'first unseal writes the administrator credentials');
    assert.equal((await fetch(`${server.url}/health`)).status, 200);

    await putSecret(server, 'behind-shares', 'shamir value');
    assert.equal(await readValue(server, 'behind-shares'), 'shamir value');

    assert.equal(JSON.parse(await operatorOk(server, ['seal'])).sealed, true);
    await assert.rejects(readValue(server, 'behind-shares'), (e: { name?: string }) => e.name === 'ServiceUnavailableException');
    for (const share of [shares[0]!, shares[3]!, shares[2]!]) await operatorOk(server, ['unseal', share]);
    assert.equal(await readValue(server, 'behind-shares'), 'shamir value');

    // Restarted, it is sealed again; the shares of the first split still open it.
    assert.equal(await server.stop(), 0);
    server = await startServer({ dataDir: server.dataDir, args: ['--root-key-provider', 'shamir'] });
    assert.equal(JSON.parse(await operatorOk(server, ['status'])).sealed, true);
    for (const share of shares.slice(0, 3)) await operatorOk(server, ['unseal', share]);
    assert.equal(await readValue(server, 'behind-shares'), 'shamir value');
    // Nothing of the key is stored: no key file of any provider.
    assert.deepEqual(readdirSync(server.dataDir).filter((f) => f.startsWith('root-key')), []);
  } finally {
    await server.stop();
  }
});

test('kms: the root key is a data key of another Coffer; the data directory holds it only wrapped', async () => {
  const external = await startServer();
  const kms = new KMSClient(clientConfig(external));
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'wraps another Coffer root key' }));
  const env = { AWS_ACCESS_KEY_ID: external.accessKeyId, AWS_SECRET_ACCESS_KEY: external.secretAccessKey, AWS_REGION: 'us-east-1' };
  const args = ['--root-key-provider', 'kms', '--root-kms-key-id', KeyMetadata!.Arn!, '--root-kms-endpoint', external.url];
  let server = await startServer({ args, env });
  try {
    await putSecret(server, 'under-external-kms', 'kms value');
    assert.ok(existsSync(join(server.dataDir, 'root-key.kms')));
    assert.ok(!existsSync(join(server.dataDir, 'root-key')), 'no plain key file');
    assert.equal(await server.stop(), 0);

    await kms.send(new DisableKeyCommand({ KeyId: KeyMetadata!.KeyId }));
    await assert.rejects(startServer({ dataDir: server.dataDir, args, env }), /KMS.*refused: DisabledException/);
    await kms.send(new EnableKeyCommand({ KeyId: KeyMetadata!.KeyId }));
    server = await startServer({ dataDir: server.dataDir, args, env });
    assert.equal(await readValue(server, 'under-external-kms'), 'kms value');
  } finally {
    await server.stop();
    kms.destroy();
    await external.stop();
  }
});

test('rotate-root replaces the key file online; then moves to a passphrase; secrets read throughout and after restarts', async () => {
  let server = await startServer();
  try {
    const names = Array.from({ length: 20 }, (_, i) => `rotate-${i}`);
    for (const name of names) await putSecret(server, name, `value of ${name}`);
    const before = readFileSync(join(server.dataDir, 'root-key'), 'utf8');

    const out = JSON.parse(await operatorOk(server, ['rotate-root']));
    assert.equal(out.Provider, 'file');
    const after = readFileSync(join(server.dataDir, 'root-key'), 'utf8');
    assert.notEqual(after, before);
    assert.ok(!existsSync(join(server.dataDir, 'root-key.next')));
    for (const name of names) assert.equal(await readValue(server, name), `value of ${name}`);
    await putSecret(server, 'after-rotation', 'new');

    await operatorOk(server, ['rotate-root', '--to-provider', 'passphrase'], { COFFER_NEW_ROOT_PASSPHRASE: 'a long new passphrase' });
    assert.ok(!existsSync(join(server.dataDir, 'root-key')), 'the old key file is gone');
    assert.ok(existsSync(join(server.dataDir, 'root-key.salt')));
    assert.equal(await readValue(server, 'after-rotation'), 'new');
    assert.equal(await server.stop(), 0);

    await assert.rejects(startServer({ dataDir: server.dataDir }), /held by the passphrase provider/);
    server = await startServer({ dataDir: server.dataDir, env: { COFFER_ROOT_PASSPHRASE: 'a long new passphrase' } });
    for (const name of names) assert.equal(await readValue(server, name), `value of ${name}`);
    assert.equal(await readValue(server, 'after-rotation'), 'new');
  } finally {
    await server.stop();
  }
});

test('only the root principal may rotate or seal; status needs no credentials', async () => {
  const server = await startServer();
  try {
    const bogus = join(tempDir(), 'credentials');
    writeFileSync(bogus, '[coffer]\naws_access_key_id = AKIAUNKNOWN000000000\naws_secret_access_key = x\n');
    const anonymous = await operator(server, ['seal'], { AWS_SHARED_CREDENTIALS_FILE: bogus });
    assert.ok(!anonymous.ok && /UnrecognizedClientException|InvalidSignatureException/.test(anonymous.stderr), anonymous.describe());
    assert.equal(JSON.parse(await operatorOk(server, ['status'])).sealed, false);
    // A file-provider server an operator sealed: unseal needs no share, and says why it cannot help.
    await operatorOk(server, ['seal']);
    const unseal = await operator(server, ['unseal']);
    assert.ok(!unseal.ok, unseal.describe());
    assert.match(unseal.stderr, /held by the file provider, so it stays sealed until the server is restarted/, unseal.describe());
  } finally {
    await server.stop();
  }
});

test("rotate-root re-seals webhook signing keys: the key printed at creation still verifies the server's calls", async () => {
  const server = await startServer();
  const received: boolean[] = [];
  let signingKey: Buffer | undefined;
  const hook = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      const timestamp = req.headers['x-coffer-timestamp'] as string | undefined;
      received.push(verifyWebhookSignature(signingKey!, timestamp, body, req.headers['x-coffer-signature'] as string | undefined, Date.now() / 1000));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/rotate`;
    const env = cleanEnv({ AWS_ENDPOINT_URL: server.url, AWS_SHARED_CREDENTIALS_FILE: join(server.dataDir, 'credentials'), AWS_PROFILE: 'coffer' });
    const created = await run(process.execPath, [BIN, 'rotation-functions', 'create', '--name', 'hook', '--kind', 'webhook', '--url', url], env);
    assert.equal(created.code, 0, describeRun('rotation-functions create', created));
    const fn = JSON.parse(created.stdout) as { FunctionArn: string; SigningKey: string };
    signingKey = Buffer.from(fn.SigningKey, 'base64');

    await operatorOk(server, ['rotate-root']);
    await putSecret(server, 'hooked', 'v1');
    const client = secrets(server);
    await client.send(new RotateSecretCommand({ SecretId: 'hooked', RotationLambdaARN: fn.FunctionArn }));
    client.destroy();
    const deadline = Date.now() + 10_000;
    while (received.length < 4 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(received, [true, true, true, true], 'four signed steps, each verified with the original key');
  } finally {
    hook.close();
    await server.stop();
  }
});
