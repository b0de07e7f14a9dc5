// `coffer agent` speaks AWS's Secrets Manager Agent protocol: called with curl exactly as AWS's
// agent documentation shows, refusing what AWS's agent refuses, and kept fresh by the change
// feed: a rotation during a read loop is served within a second, a deleted secret stops.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { BIN, PROJECT_ROOT, clientConfig, startServer, type TestServer } from '../support/coffer-server.js';
import { cleanEnv, describeRun, requireTool, run } from '../support/child-process.js';
import { startAgent, type TestAgent } from '../support/coffer-agent.js';
import { uniqueName } from '../support/sdk-errors.js';
import { createRotationFunction, rotationEnded } from '../rotation/rotation-e2e.js';

const shared = {} as { server: TestServer; client: SecretsManagerClient };
let agent: TestAgent;

before(async () => {
  shared.server = await startServer();
  shared.client = new SecretsManagerClient(clientConfig(shared.server));
  agent = await startAgent(shared.server);
});
after(async () => {
  assert.equal(await agent.stop(), 0);
  shared.client.destroy();
  assert.equal(await shared.server.stop(), 0);
  rmSync(dirname(shared.server.dataDir), { recursive: true, force: true });
});

/** curl as AWS's agent documentation calls it: the token read from its file into the header. */
async function curl(t: TestContext, path: string, extra: string[] = []): Promise<{ status: number; body: string } | undefined> {
  if (!(await requireTool(t, 'curl', 'curl', ['--version']))) return undefined;
  const script = `curl -sS -w '\\n%{http_code}' ${extra.join(' ')} -H "X-Aws-Parameters-Secrets-Token: $(<${agent.tokenFile})" '${agent.url}${path}'`;
  const r = await run('bash', ['-c', script], cleanEnv({}));
  assert.equal(r.code, 0, describeRun('curl', r));
  const at = r.stdout.lastIndexOf('\n');
  return { status: Number(r.stdout.slice(at + 1)), body: r.stdout.slice(0, at) };
}

/** A request with node's fetch and the headers given. */
async function get(path: string, headers: Record<string, string> = { 'X-Aws-Parameters-Secrets-Token': agent.token }, method = 'GET') {
  const res = await fetch(`${agent.url}${path}`, { method, headers });
  return { status: res.status, body: await res.text() };
}

test('curl as in AWS\'s documentation gets GetSecretValue\'s body, by query or by path, by label or version id, and refreshNow', async (t) => {
  const name = uniqueName('agent/db');
  const first = await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: '{"password":"one"}' }));
  const second = await shared.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: '{"password":"two"}' }));
  const answer = await curl(t, `/secretsmanager/get?secretId=${encodeURIComponent(name)}`);
  if (!answer) return;
  assert.equal(answer.status, 200, answer.body);
  const body = JSON.parse(answer.body);
  assert.deepEqual(Object.keys(body), ['ARN', 'Name', 'VersionId', 'SecretString', 'VersionStages', 'CreatedDate']);
  assert.deepEqual({ ...body, CreatedDate: typeof body.CreatedDate }, { ARN: first.ARN, Name: name, VersionId: second.VersionId, SecretString: '{"password":"two"}', VersionStages: ['AWSCURRENT'], CreatedDate: 'string' });
  assert.match(body.CreatedDate, /^\d+(\.\d+)?$/);

  const previous = JSON.parse((await curl(t, `/secretsmanager/get?secretId=${encodeURIComponent(name)}&versionStage=AWSPREVIOUS`))!.body);
  assert.equal(previous.VersionId, first.VersionId);
  const byId = JSON.parse((await curl(t, `/v1/${name}?versionId=${first.VersionId}`))!.body);
  assert.equal(byId.SecretString, '{"password":"one"}');
  const refreshed = await curl(t, `/v1/${name}?refreshNow=true`);
  assert.equal(JSON.parse(refreshed!.body).VersionId, second.VersionId);
  const binary = uniqueName('agent/bin');
  await shared.client.send(new CreateSecretCommand({ Name: binary, SecretBinary: Buffer.from([0, 1, 2, 255]) }));
  assert.equal(JSON.parse((await get(`/v1/${binary}`)).body).SecretBinary, 'AAEC/w==');
});

test('what AWS\'s agent refuses, refused alike: no token or a wrong one, X-Forwarded-For, other methods, bad parameters; errors in AWS\'s shapes', async () => {
  const name = uniqueName('agent/refused');
  await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
  const path = `/secretsmanager/get?secretId=${name}`;
  assert.deepEqual(await get(path, {}), { status: 403, body: 'Bad Token' });
  assert.deepEqual(await get(path, { 'X-Aws-Parameters-Secrets-Token': 'wrong' }), { status: 403, body: 'Bad Token' });
  assert.equal((await get(path, { 'X-Vault-Token': agent.token })).status, 200, 'the other header AWS accepts');
  assert.deepEqual(await get(path, { 'X-Aws-Parameters-Secrets-Token': agent.token, 'X-Forwarded-For': '10.0.0.1' }), { status: 400, body: 'Forwarded' });
  assert.deepEqual(await get(path, { 'X-Aws-Parameters-Secrets-Token': agent.token }, 'POST'), { status: 405, body: 'Not allowed' });
  assert.deepEqual(await get('/ping', {}), { status: 200, body: 'healthy' });
  assert.deepEqual(await get('/secretsmanager/get?versionStage=AWSCURRENT'), { status: 400, body: 'missing parameter secretId' });
  assert.deepEqual(await get(`${path}&color=red`), { status: 400, body: 'unknown parameter: color' });
  assert.deepEqual(await get(`${path}&refreshNow=maybe`), { status: 400, body: 'invalid refreshNow value' });
  assert.deepEqual(await get('/v1/'), { status: 400, body: 'missing secret ID' });
  assert.deepEqual(await get('/elsewhere'), { status: 404, body: 'Not found' });
  const missing = await get('/secretsmanager/get?secretId=agent/no-such-secret');
  assert.equal(missing.status, 400);
  assert.deepEqual(JSON.parse(missing.body), { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
});

test('a rotation during a read loop is served within a second of the server serving it; a deleted secret stops being served', async (t) => {
  const { server, client: sm } = shared;
  const name = uniqueName('agent/rotated');
  await sm.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ api_key: 'original' }) }));
  const python = await requireTool(t, 'boto3', 'python3', ['-c', 'import boto3']);
  const seen = { server: 0, agent: 0 };
  let reading = true;
  const original = JSON.parse((await get(`/v1/${name}`)).body).VersionId as string;
  const loop = (async () => {
    while (reading) {
      const [fromServer, fromAgent] = await Promise.all([sm.send(new GetSecretValueCommand({ SecretId: name })), get(`/v1/${name}`)]);
      const now = Date.now();
      if (!seen.server && fromServer.VersionId !== original) seen.server = now;
      if (!seen.agent && JSON.parse(fromAgent.body).VersionId !== original) seen.agent = now;
      if (seen.agent && seen.server) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  if (python) {
    const example = join(PROJECT_ROOT, 'examples/rotation');
    const fn = await createRotationFunction(server, 'agent-rotator', `python3 ${example}/run-lambda.py ${example}/lambda_function.py`);
    const { VersionId } = await sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn, RotationRules: { AutomaticallyAfterDays: 30 } }));
    assert.equal(await rotationEnded(server, sm, name, VersionId!), 'succeeded');
  } else {
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: JSON.stringify({ api_key: 'rotated' }) }));
  }
  const deadline = Date.now() + 5000;
  while (!(seen.agent && seen.server) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  reading = false;
  await loop;
  assert.ok(seen.server && seen.agent, JSON.stringify(seen));
  assert.ok(seen.agent - seen.server < 1000, `the agent served the new value ${seen.agent - seen.server} ms after the server`);
  assert.notEqual(JSON.parse((await get(`/v1/${name}`)).body).SecretString, JSON.stringify({ api_key: 'original' }));

  await sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
  const deleted = Date.now();
  let answer = await get(`/v1/${name}`);
  while (answer.status === 200 && Date.now() - deleted < 1000) answer = await get(`/v1/${name}`);
  assert.equal(answer.status, 400);
  assert.equal(JSON.parse(answer.body).__type, 'InvalidRequestException');
});

test('the agent refuses to start without a token, and when its settings are outside AWS\'s ranges', async () => {
  const { server } = shared;
  const env = cleanEnv({ AWS_ENDPOINT_URL: server.url });
  const noToken = await run(process.execPath, ['--', BIN, 'agent'], env);
  assert.equal(noToken.code, 1);
  assert.match(noToken.stderr, /no SSRF token: set AWS_TOKEN, or AWS_SESSION_TOKEN, or AWS_CONTAINER_AUTHORIZATION_TOKEN/);
  const badTtl = await run(process.execPath, ['--', BIN, 'agent', '--ttl', '3601'], { ...env, AWS_TOKEN: 't' });
  assert.equal(badTtl.code, 1);
  assert.match(badTtl.stderr, /ttlSeconds must be a whole number from 0 to 3600/);
});
