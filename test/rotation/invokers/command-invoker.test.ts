import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RotationEvent } from '../../../src/rotation/rotation-function.js';
import { commandInvoker } from '../../../src/rotation/invokers/command-invoker.js';
import { CommandLineError } from '../../../src/rotation/invokers/command-line.js';
import { commandLine, quote, rejection, scratchDir } from './support.js';

const event: RotationEvent = {
  Step: 'createSecret',
  SecretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:café/api-key-ÅbCdEf',
  ClientRequestToken: '8f1c2d3e-0000-4000-8000-000000000002',
  RotationToken: 'c7b6a0e1-5678-4abc-8def-0123456789ab',
};

/** A command line that runs `script` with this test's node. */
function node(script: string): string {
  return commandLine(process.execPath, '-e', script);
}

/** Whether a process is gone: no such pid, or a zombie nobody has reaped yet (it runs no more). */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
}

async function assertGone(pid: number): Promise<void> {
  for (let i = 0; i < 40 && !gone(pid); i++) await sleep(50);
  assert.ok(gone(pid), `process ${pid} is still running`);
}

test('the event arrives on stdin intact, and exit status 0 completes the step', async (t) => {
  const out = join(scratchDir(t), 'stdin');
  await commandInvoker({ command: node(`require('fs').writeFileSync(process.env.OUT, require('fs').readFileSync(0))`), timeoutMs: 10_000, env: { OUT: out } })(event);
  const received = readFileSync(out, 'utf8');
  assert.equal(received, JSON.stringify(event));
  assert.deepEqual(JSON.parse(received), event);
});

test('the command sees only PATH, HOME, LANG and the variables it was given', async (t) => {
  const out = join(scratchDir(t), 'env');
  process.env.COFFER_PARENT_ONLY = 'must not leak';
  t.after(() => delete process.env.COFFER_PARENT_ONLY);
  const given = {
    OUT: out,
    AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'example-secret',
    AWS_REGION: 'eu-west-1',
    LANG: 'C.UTF-8',
  };
  await commandInvoker({ command: node(`require('fs').writeFileSync(process.env.OUT, JSON.stringify(process.env))`), timeoutMs: 10_000, env: given })(event);
  const seen = JSON.parse(readFileSync(out, 'utf8')) as Record<string, string>;
  const expected: Record<string, string> = {};
  for (const name of ['PATH', 'HOME'] as const) if (process.env[name] !== undefined) expected[name] = process.env[name]!;
  assert.deepEqual(seen, { ...expected, ...given });
});

test('a non-zero exit rejects naming the step and the status, with the last 20 lines of stderr', async () => {
  const script = `for (let i = 1; i <= 30; i++) console.error('problem line ' + i); console.log('on stdout'); process.exit(3)`;
  const message = await rejection(commandInvoker({ command: node(script), timeoutMs: 10_000, env: {} })({ ...event, Step: 'setSecret' }));
  assert.match(message, /setSecret/);
  assert.match(message, /exited with status 3/);
  assert.match(message, /last lines of stderr:\nproblem line 11\n/);
  assert.match(message, /problem line 30$/);
  assert.ok(!message.includes('problem line 10\n'));
  assert.ok(!message.includes('on stdout'));
});

test('with nothing on stderr, the end of stdout explains the failure', async () => {
  const message = await rejection(commandInvoker({ command: node(`console.log('Secret is not enabled for rotation'); process.exit(1)`), timeoutMs: 10_000, env: {} })(event));
  assert.match(message, /last lines of stdout:\nSecret is not enabled for rotation$/);
});

test('a command killed by a signal rejects naming the signal', async () => {
  const message = await rejection(commandInvoker({ command: node(`process.kill(process.pid, 'SIGTERM'); setTimeout(() => {}, 10000)`), timeoutMs: 10_000, env: {} })(event));
  assert.match(message, /was killed by SIGTERM/);
});

test('the timeout kills the command and everything it started', async (t) => {
  const pidFile = join(scratchDir(t), 'pid');
  const command = `sh -c 'sleep 30 & echo $! > "$1"; sleep 30' sh ${quote(pidFile)}`;
  const started = Date.now();
  const message = await rejection(commandInvoker({ command, timeoutMs: 500, env: {} })({ ...event, Step: 'testSecret' }));
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 450 && elapsed < 5000, `rejected after ${elapsed} ms`);
  assert.match(message, /testSecret/);
  assert.match(message, /did not finish within 500 ms/);
  await assertGone(Number(readFileSync(pidFile, 'utf8')));
});

test('what a successful command leaves running does not outlive the step', async (t) => {
  const pidFile = join(scratchDir(t), 'pid');
  const started = Date.now();
  await commandInvoker({ command: `sh -c 'sleep 30 & echo $! > "$1"' sh ${quote(pidFile)}`, timeoutMs: 10_000, env: {} })(event);
  assert.ok(Date.now() - started < 5000);
  await assertGone(Number(readFileSync(pidFile, 'utf8')));
});

test('a program that ignores its stdin is fine; one that cannot start rejects', async () => {
  await commandInvoker({ command: 'true', timeoutMs: 10_000, env: {} })(event);
  const message = await rejection(commandInvoker({ command: '/nonexistent/rotator --flag', timeoutMs: 10_000, env: {} })(event));
  assert.match(message, /could not start \/nonexistent\/rotator: .*ENOENT/);
});

test('output is bounded and never stalls the command', async () => {
  const script = `const line = 'x'.repeat(1023) + '\\n'; for (let i = 0; i < 2048; i++) { process.stdout.write(line); process.stderr.write(line); } process.stderr.write('the end\\n'); process.exitCode = 2`;
  const message = await rejection(commandInvoker({ command: node(script), timeoutMs: 20_000, env: {} })(event));
  assert.match(message, /exited with status 2/);
  assert.match(message, /the end$/);
  assert.ok(message.length < 5000, `message of ${message.length} chars`);
});

test('the values of secret variables given to the command never appear in the error', async () => {
  const env = { AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEXAMPLETOKEN', AWS_REGION: 'eu-west-1' };
  const script = `console.error('key=' + process.env.AWS_SECRET_ACCESS_KEY + ' token=' + process.env.AWS_SESSION_TOKEN + ' region=' + process.env.AWS_REGION); process.exit(1)`;
  const message = await rejection(commandInvoker({ command: node(script), timeoutMs: 10_000, env })(event));
  assert.ok(!message.includes(env.AWS_SECRET_ACCESS_KEY) && !message.includes(env.AWS_SESSION_TOKEN), message);
  assert.match(message, /key=\[redacted\] token=\[redacted\] region=eu-west-1/);
});

test('a command line that names no program or needs a shell is refused up front', () => {
  assert.throws(() => commandInvoker({ command: '   ', timeoutMs: 1000, env: {} }), CommandLineError);
  assert.throws(() => commandInvoker({ command: 'rotate.sh > /tmp/log', timeoutMs: 1000, env: {} }), CommandLineError);
  assert.throws(() => commandInvoker({ command: 'true', timeoutMs: -1, env: {} }), RangeError);
});
