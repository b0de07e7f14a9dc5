// What a person reads when something is wrong: what happened, and what to do.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startServer, tempDir, type TestServer } from '../support/coffer-server.js';
import { cofferCli } from '../support/coffer-cli.js';
import { join } from 'node:path';

let server: TestServer;

before(async () => {
  server = await startServer();
});
after(async () => {
  assert.equal(await server.stop(), 0);
});

/** A loopback port nothing listens on (taken, then given back). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

test('a server that is not running: the command names the URL, where it came from, and how to start one', async () => {
  const port = await closedPort();
  const cli = cofferCli();
  await cli.fails(
    ['secrets', 'list', '--endpoint-url', `http://127.0.0.1:${port}`],
    new RegExp(`^coffer: cannot reach the Coffer server at http://127\\.0\\.0\\.1:${port} \\(from --endpoint-url\\): nothing listens there \\(connection refused\\)\\. Start it with \`coffer server\``),
    { env: { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' } },
  );
});

test('no credentials: the command says where it looked and how to get some', async () => {
  const cli = cofferCli();
  await cli.fails(
    ['secrets', 'list', '--endpoint-url', server.url],
    new RegExp(
      `^coffer: no credentials found: looked at AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and for profile "default" in ${cli.credentialsFile} and ${cli.configFile}\\. Run \`coffer configure --data-dir DIR\``,
    ),
  );
});

test('no server given at all: the command says where it looked', async () => {
  const cli = cofferCli();
  await cli.fails(['keys', 'list'], new RegExp(`^coffer: no Coffer server given: looked at --endpoint-url, AWS_ENDPOINT_URL and the endpoint_url of profile "default" in ${cli.configFile}`));
});

test('a second server on a data directory in use names the process that holds it', async () => {
  await assert.rejects(
    startServer({ dataDir: server.dataDir, args: ['--log-file', join(tempDir(), 'second.log')] }),
    new RegExp(`server exited with 1:\\ncoffer: the data directory ${server.dataDir} is in use by pid ${server.process.pid} \\(.*coffer\\.js server.*\\): .*Stop that server first, or give this one another --data-dir`),
  );
});

test('a port already taken names the process that listens on it', async () => {
  const port = Number(new URL(server.url).port);
  await assert.rejects(
    startServer({ args: ['--port', String(port)] }),
    new RegExp(`server exited with 1:\\ncoffer: port ${port} on 127\\.0\\.0\\.1 is already taken by pid ${server.process.pid} \\(.*\\): stop it, or give another --port \\(0 picks a free one\\)`),
  );
});
