/**
 * Query-protocol decoding is linear and bounded: 10,000 `PolicyArns.member.N.arn` entries
 * (where 8,000 once took 11.4 s and stalled /health for 6.7 s) are refused with a validation
 * error (AWS takes up to 10) before any is decoded, at about the cost of reading the form, and
 * /health answers while they are sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedServer } from '../support/coffer-server.js';
import { iamQuery } from '../support/iam-query.js';

const shared = sharedServer();

const assumeWith = (members: number) => {
  const params: Record<string, string> = { Action: 'AssumeRole', RoleArn: 'arn:aws:iam::000000000000:role/none', RoleSessionName: 'session' };
  for (let i = 1; i <= members; i += 1) params[`PolicyArns.member.${i}.arn`] = `arn:aws:iam::aws:policy/P${i}`;
  return iamQuery(shared.server).send('sts', params);
};

async function medianMs(members: number): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < 3; run += 1) {
    const started = performance.now();
    const res = await assumeWith(members);
    times.push(performance.now() - started);
    assert.equal(res.status, 400, res.text);
    assert.match(res.text, /<Code>ValidationError<\/Code>.*'policyArns'.*less than or equal to 10/);
  }
  return times.sort((a, b) => a - b)[1]!;
}

test('10,000 list members are refused at about the cost of their size, without blocking the server', async () => {
  const [, health] = await Promise.all([assumeWith(10_000), fetch(`${shared.server.url}/health`)]);
  assert.equal(health.status, 200);
  const small = await medianMs(1_000);
  const large = await medianMs(10_000);
  // Linear: about 10 times the cost for 10 times the members. Quadratic decoding made it over 60 times.
  assert.ok(large < 40 * small, `1,000 members: ${small.toFixed(1)} ms, 10,000: ${large.toFixed(1)} ms`);
});
