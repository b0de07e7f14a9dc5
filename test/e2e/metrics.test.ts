// Prometheus metrics on a listener of their own (--metrics-port), scraped as Prometheus would.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { BIN, clientConfig, startServer, tempDir, type TestServer } from '../support/coffer-server.js';
import { cleanEnv, describeRun, run } from '../support/child-process.js';
import { cofferCli } from '../support/coffer-cli.js';
import { uniqueName } from '../support/sdk-errors.js';

/** Each sample of the exposition text: `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    out.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return out;
}

function metricsUrl(server: TestServer): string {
  const m = /^Metrics: (\S+)$/m.exec(server.stderr());
  assert.ok(m, `the banner names the metrics URL:\n${server.stderr()}`);
  return m[1]!;
}

async function scrape(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(url, { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** A webhook rotation function that fails every step. */
async function failingWebhook(t: TestContext): Promise<string> {
  const hook = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.statusCode = 500;
      res.end('no');
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => hook.close(() => resolve())));
  return `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`;
}

test('a scrape shows requests by service, operation and status with latencies, the audit log, rotations, seal state, caches, storage errors and the process', async (t) => {
  const server = await startServer({ args: ['--metrics-port', '0'] });
  t.after(() => server.stop());
  const url = metricsUrl(server);
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/, 'loopback unless told otherwise');
  assert.notEqual(new URL(url).port, new URL(server.url).port, 'a listener of its own');

  const sm = new SecretsManagerClient(clientConfig(server));
  t.after(() => sm.destroy());
  const name = uniqueName('metrics');
  await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v' }));
  for (let i = 0; i < 3; i++) await sm.send(new GetSecretValueCommand({ SecretId: name }));
  await assert.rejects(sm.send(new GetSecretValueCommand({ SecretId: `${name}-missing` })));
  const cli = cofferCli();
  const fn = uniqueName('failing').replace(/\//g, '-');
  await cli.ok(['rotation-functions', 'create', '--name', fn, '--kind', 'webhook', '--url', await failingWebhook(t)], {
    env: { AWS_ENDPOINT_URL: server.url, AWS_SHARED_CREDENTIALS_FILE: join(server.dataDir, 'credentials'), AWS_PROFILE: 'coffer' },
  });
  await sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: `arn:aws:lambda:us-east-1:000000000000:function:${fn}` }));

  let body = '';
  for (let tries = 0; tries < 100; tries++) {
    const res = await scrape(url);
    assert.equal(res.status, 200);
    assert.equal(res.type, 'text/plain; version=0.0.4; charset=utf-8');
    body = res.text;
    if (body.includes('coffer_rotations_total{outcome="failed"} 1')) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const m = samples(body);
  assert.equal(m.get('coffer_requests_total{service="secretsmanager",operation="GetSecretValue",status="200"}'), 3, body);
  assert.equal(m.get('coffer_requests_total{service="secretsmanager",operation="GetSecretValue",status="400"}'), 1);
  assert.equal(m.get('coffer_request_duration_seconds_count{service="secretsmanager",operation="CreateSecret",status="200"}'), 1);
  assert.equal(m.get('coffer_request_duration_seconds_bucket{le="+Inf",service="secretsmanager",operation="GetSecretValue",status="200"}'), 3);
  assert.equal(m.get('coffer_requests_total{service="CofferRotationFunctions",operation="CreateRotationFunction",status="200"}'), 1);
  assert.ok(m.get('coffer_audit_commit_duration_seconds_count{outcome="written"}')! >= 1);
  assert.ok(m.get('coffer_audit_records_total{outcome="written"}')! >= 6);
  assert.ok(m.has('coffer_audit_queue_depth'));
  assert.equal(m.get('coffer_rotations_total{outcome="failed"}'), 1, 'the failed rotation is counted');
  assert.equal(m.get('coffer_sealed'), 0);
  assert.equal(m.get('coffer_writable{store="database"}'), 1);
  assert.equal(m.get('coffer_writable{store="audit"}'), 1);
  assert.ok(m.get('coffer_cache_lookups_total{result="hit"}')! >= 2, 'the repeated reads hit the cache');
  assert.ok(m.get('coffer_cache_lookups_total{result="miss"}')! >= 1);
  assert.equal(m.get('coffer_storage_errors_total'), 0);
  assert.ok(m.get('coffer_process_cpu_seconds_total')! > 0, 'process metrics');
  assert.ok(m.get('coffer_process_resident_memory_bytes')! > 0);
  assert.match(body, /^# TYPE coffer_request_duration_seconds histogram$/m);
  assert.ok(!body.includes('"v"') && !body.includes(server.secretAccessKey), 'no secret in the metrics');

  assert.equal((await scrape(url.replace('/metrics', '/other'))).status, 404);
});

test('a metrics token is required when set; metrics on a public address need TLS, a token, or an explicit allowance', async (t) => {
  const tokenFile = join(tempDir(), 'metrics-token');
  writeFileSync(tokenFile, 'scrape-token-123\n');
  const server = await startServer({ args: ['--metrics-port', '0', '--metrics-token-file', tokenFile] });
  t.after(() => server.stop());
  const url = metricsUrl(server);
  assert.equal((await scrape(url)).status, 401);
  assert.equal((await scrape(url, { Authorization: 'Bearer wrong' })).status, 401);
  const ok = await scrape(url, { Authorization: 'Bearer scrape-token-123' });
  assert.equal(ok.status, 200);
  assert.match(ok.text, /^coffer_sealed 0$/m);

  const config = (args: string[]) => run(process.execPath, [BIN, 'server', '--print-config', '--metrics-port', '9464', ...args], cleanEnv({}));
  const refused = await config(['--metrics-host', '0.0.0.0']);
  assert.equal(refused.code, 2, describeRun('public metrics', refused));
  assert.match(refused.stderr, /refusing to serve metrics on 0\.0\.0\.0 in clear text and to anyone: give --tls-cert\/--tls-key .*--metrics-token-file, or --allow-public-metrics/);
  for (const allowed of [['--allow-public-metrics'], ['--metrics-token-file', tokenFile]]) {
    const out = await config(['--metrics-host', '0.0.0.0', ...allowed]);
    assert.equal(out.code, 0, describeRun(allowed.join(' '), out));
  }
});

test('with --workers, the primary serves every worker\'s metrics, aggregated', async (t) => {
  const server = await startServer({ args: ['--workers', '2', '--metrics-port', '0'] });
  t.after(() => server.stop());
  const sm = new SecretsManagerClient(clientConfig(server));
  t.after(() => sm.destroy());
  const name = uniqueName('workers');
  await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v' }));
  // New connections spread over both workers.
  for (let i = 0; i < 10; i++) {
    const client = new SecretsManagerClient(clientConfig(server));
    await client.send(new GetSecretValueCommand({ SecretId: name }));
    client.destroy();
  }
  const m = samples((await scrape(metricsUrl(server))).text);
  assert.equal(m.get('coffer_requests_total{service="secretsmanager",operation="GetSecretValue",status="200"}'), 10);
  assert.equal(m.get('coffer_sealed'), 0);
});
