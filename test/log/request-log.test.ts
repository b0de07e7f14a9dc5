import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { requestLog } from '../../src/log/request-log.js';

function capture(level = 'info') {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { log: requestLog(pino({ level }, stream)), lines };
}

test('each entry is one JSON line with the fields a pino line would have', () => {
  const { log, lines } = capture();
  log({ requestId: 'r1', operation: 'secretsmanager.GetSecretValue', principal: 'arn:aws:iam::000000000000:root', status: 200, durationMs: 0.42 });
  log({ requestId: 'r2', status: 400, errorCode: 'UnknownOperationException', durationMs: 1 });
  const [first, second] = lines.map((l) => JSON.parse(l));
  assert.equal(first.level, 30);
  assert.ok(!Number.isNaN(Date.parse(first.time)));
  assert.deepEqual(
    { ...first, time: undefined },
    { level: 30, time: undefined, requestId: 'r1', operation: 'secretsmanager.GetSecretValue', principal: 'arn:aws:iam::000000000000:root', status: 200, durationMs: 0.42 },
  );
  assert.deepEqual({ ...second, time: undefined }, { level: 30, time: undefined, requestId: 'r2', status: 400, errorCode: 'UnknownOperationException', durationMs: 1 });
});

test('a principal taken from the client (an access key id in --dev) cannot break or forge the line', () => {
  const { log, lines } = capture();
  const hostile = 'AKIA","status":200,"forged":"\n{"level":60}';
  log({ requestId: 'r3', principal: hostile, status: 403, durationMs: 2 });
  assert.equal(lines.length, 1);
  const entry = JSON.parse(lines[0]!);
  assert.equal(entry.principal, hostile);
  assert.equal(entry.status, 403);
  assert.equal(entry.forged, undefined);
});

test('nothing is written when the level is above info', () => {
  const { log, lines } = capture('warn');
  log({ requestId: 'r4', status: 200, durationMs: 1 });
  assert.deepEqual(lines, []);
});
