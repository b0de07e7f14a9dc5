// The AWS SDK for Go v2 against a live server: test/e2e/go/sdk_flows.go runs the Secrets
// Manager, KMS, STS and CloudTrail calls the README promises (its CloudTrail client sends the
// short `CloudTrail_20131101` target prefix). It is built offline from Debian's golang-go and
// golang-github-aws-aws-sdk-go-v2-dev, in GOPATH mode as Debian builds Go packages. Missing
// either skips the test locally and fails it under CI=true.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT, startServer, tempDir } from '../support/coffer-server.js';
import { cleanEnv, describeRun, requireTool, run, serverEnv } from '../support/child-process.js';
import { createRotationFunction } from '../rotation/rotation-e2e.js';

const DEBIAN_GOPATH = '/usr/share/gocode';
const SOURCE = join(PROJECT_ROOT, 'test/e2e/go/sdk_flows.go');
const EXAMPLE_ROTATION = join(PROJECT_ROOT, 'examples/rotation');
/** Compiling the SDK's packages the first time takes a while on a busy machine; the cache keeps them for the next run. */
const BUILD_TIMEOUT_MS = 600_000;

test('the AWS SDK for Go v2 drives Secrets Manager, KMS, STS and CloudTrail', async (t) => {
  if (!(await requireTool(t, 'Go (golang-go)', 'go', ['version']))) return;
  if (!(await requireTool(t, "the AWS SDK for Go v2 (golang-github-aws-aws-sdk-go-v2-dev)", 'test', ['-d', join(DEBIAN_GOPATH, 'src/github.com/aws/aws-sdk-go-v2/service/secretsmanager')]))) return;
  const dir = tempDir('coffer-go-sdk-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const binary = join(dir, 'sdk-flows');
  const goEnv = cleanEnv({ GO111MODULE: 'off', GOPATH: DEBIAN_GOPATH, GOPROXY: 'off', GOFLAGS: '', GOCACHE: join(tmpdir(), 'coffer-go-build-cache') });
  const build = await run('go', ['build', '-o', binary, SOURCE], goEnv, { timeoutMs: BUILD_TIMEOUT_MS });
  assert.equal(build.code, 0, describeRun('go build test/e2e/go/sdk_flows.go', build));

  const server = await startServer();
  t.after(() => rmSync(dirname(server.dataDir), { recursive: true, force: true }));
  try {
    // With boto3 the example Lambda rotates a secret for the program; without, RotateSecret is checked for its errors.
    const python = await requireTool(t, 'boto3', 'python3', ['-c', 'import boto3']);
    const rotator = python ? await createRotationFunction(server, 'go-rotator', `python3 ${EXAMPLE_ROTATION}/run-lambda.py ${EXAMPLE_ROTATION}/lambda_function.py`) : '';
    const flows = await run(binary, [], { ...serverEnv(server), AWS_REGION: server.region, ROTATION_FUNCTION_ARN: rotator });
    assert.equal(flows.code, 0, describeRun('sdk_flows (Go SDK v2)', flows));
  } finally {
    assert.equal(await server.stop(), 0, server.stderr());
  }
});
