import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RotationEvent } from '../../../src/rotation/rotation-function.js';
import { commandInvoker } from '../../../src/rotation/invokers/command-invoker.js';
import { cleanEnv, describeRun, requireTool, run } from '../../support/child-process.js';
import { PROJECT_ROOT } from '../../support/coffer-server.js';
import { commandLine, scratchDir } from './support.js';

// The Python example is run end to end against a real server by the rotation engine's tests;
// here it only has to compile. The Node wrapper needs no server, so it runs.

const EXAMPLES = join(PROJECT_ROOT, 'examples', 'rotation');

const event: RotationEvent = {
  Step: 'finishSecret',
  SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key-AbCdEf',
  ClientRequestToken: '8f1c2d3e-0000-4000-8000-000000000003',
  RotationToken: 'd8c7b1f2-9abc-4abc-8def-0123456789ab',
};

test('the Python rotation function and its wrapper compile', async (t) => {
  if (!(await requireTool(t, 'python3', 'python3', ['--version']))) return;
  // Bytecode goes to a scratch directory, not next to the examples.
  const env = cleanEnv({ PYTHONPYCACHEPREFIX: scratchDir(t) });
  for (const file of ['lambda_function.py', 'run-lambda.py']) {
    const r = await run('python3', ['-m', 'py_compile', join(EXAMPLES, file)], env);
    assert.equal(r.code, 0, describeRun(`py_compile ${file}`, r));
  }
});

test('run-lambda.mjs hands the event to an ES module or CommonJS handler', async (t) => {
  const dir = scratchDir(t);
  const out = join(dir, 'event.json');
  const handlers = {
    'index.mjs': `import { writeFileSync } from 'node:fs';\nexport const handler = async (event) => writeFileSync(process.env.OUT, JSON.stringify(event));\n`,
    'index.cjs': `exports.handler = async (event) => require('node:fs').writeFileSync(process.env.OUT, JSON.stringify(event));\n`,
  };
  for (const [file, source] of Object.entries(handlers)) {
    writeFileSync(join(dir, file), source);
    const command = commandLine(process.execPath, join(EXAMPLES, 'run-lambda.mjs'), join(dir, file));
    await commandInvoker({ command, timeoutMs: 10_000, env: { OUT: out } })(event);
    assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), event, file);
    rmSync(out);
  }
});

test('run-lambda.mjs fails the step when the handler throws, with the error in the message', async (t) => {
  const dir = scratchDir(t);
  writeFileSync(join(dir, 'index.mjs'), `export async function rotate(event) { throw new Error('cannot reach the provider during ' + event.Step); }\n`);
  const command = commandLine(process.execPath, join(EXAMPLES, 'run-lambda.mjs'), join(dir, 'index.mjs'), 'rotate');
  await assert.rejects(commandInvoker({ command, timeoutMs: 10_000, env: {} })(event), /finishSecret failed: .*exited with status 1[^]*cannot reach the provider during finishSecret/);
});
