/**
 * Unsealing needs the unseal material. After a root-signed Seal, an unsigned
 * `CofferOperator.Unseal` with body `{}` re-opens nothing: a passphrase server
 * has forgotten its passphrase and wants it again (a wrong one is refused), and
 * a file-provider server, whose key the server fetches itself, stays sealed
 * until it is restarted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startServer, type TestServer } from '../support/coffer-server.js';
import { cleanEnv, describeRun, run } from '../support/child-process.js';
import { BIN } from '../support/coffer-server.js';
import { rawClientFor } from '../support/raw-client.js';

const OPERATOR = 'CofferOperator';
const PASSPHRASE = 'correct horse battery staple';

function operatorCall(server: TestServer, operation: string, body: object) {
  return rawClientFor(server).call(`${OPERATOR}.${operation}`, body, { sign: false });
}

async function sealAsRoot(server: TestServer): Promise<void> {
  const env = cleanEnv({ AWS_ENDPOINT_URL: server.url, AWS_SHARED_CREDENTIALS_FILE: join(server.dataDir, 'credentials'), AWS_PROFILE: 'coffer' });
  const result = await run(process.execPath, [BIN, 'operator', 'seal'], env);
  assert.equal(result.code, 0, describeRun('coffer operator seal', result));
}

async function sealed(server: TestServer): Promise<boolean> {
  const status = await operatorCall(server, 'GetSealStatus', {});
  assert.equal(status.status, 200, status.text);
  return status.json.sealed;
}

async function withServer(options: Parameters<typeof startServer>[0], body: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startServer(options);
  try {
    await body(server);
  } finally {
    await server.stop();
    rmSync(dirname(server.dataDir), { recursive: true, force: true });
  }
}

test('a file-provider server sealed by an operator is not re-opened by an unsigned Unseal {}', async () => {
  await withServer({}, async (server) => {
    await sealAsRoot(server);
    const res = await operatorCall(server, 'Unseal', {});
    assert.equal(res.status, 400, res.text);
    assert.match(res.text, /stays sealed until the server is restarted/);
    assert.equal(await sealed(server), true);
    const read = await rawClientFor(server).call('ListSecrets', {});
    assert.notEqual(read.status, 200, 'a sealed server serves nothing');
  });
});

test('a passphrase server forgets its passphrase when sealed and unseals only with it', async () => {
  await withServer({ env: { COFFER_ROOT_PASSPHRASE: PASSPHRASE } }, async (server) => {
    const name = `sealed-${randomUUID().slice(0, 8)}`;
    const created = await rawClientFor(server).call('CreateSecret', { Name: name, SecretString: 'value', ClientRequestToken: randomUUID() });
    assert.equal(created.status, 200, created.text);
    await sealAsRoot(server);

    for (const body of [{}, { Passphrase: 'not the passphrase' }]) {
      const res = await operatorCall(server, 'Unseal', body);
      assert.equal(res.status, 400, res.text);
      assert.equal(await sealed(server), true, `still sealed after Unseal ${JSON.stringify(body)}`);
    }
    const res = await operatorCall(server, 'Unseal', { Passphrase: PASSPHRASE });
    assert.equal(res.status, 200, res.text);
    assert.equal(await sealed(server), false);
    const read = await rawClientFor(server).call('GetSecretValue', { SecretId: name });
    assert.equal(read.json?.SecretString, 'value', read.text);
  });
});
