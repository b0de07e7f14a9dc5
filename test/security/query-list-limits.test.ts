/**
 * Query-protocol lists are held to AWS's limits before any member is decoded: 10 `PolicyArns`
 * (AWS's documented limit, which the STS model leaves out), the model's maximum (50 tags), and
 * 1,000 members where neither names one. A request over a limit is a `ValidationError` that
 * names the parameter and does nothing; one at the limit goes on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedServer } from '../support/coffer-server.js';
import { iamQuery } from '../support/iam-query.js';
import { uniqueName } from '../support/sdk-errors.js';

const shared = sharedServer();

const members = (count: number, name: (i: number) => Record<string, string>): Record<string, string> =>
  Object.assign({}, ...Array.from({ length: count }, (_, i) => name(i + 1)));

const assumeRole = (policyArns: number) =>
  iamQuery(shared.server).send('sts', {
    Action: 'AssumeRole',
    RoleArn: 'arn:aws:iam::000000000000:role/none',
    RoleSessionName: 'session',
    ...members(policyArns, (i) => ({ [`PolicyArns.member.${i}.arn`]: `arn:aws:iam::aws:policy/P${i}` })),
  });

function assertRefused(res: { status: number; text: string }, path: string, limit: number): void {
  assert.equal(res.status, 400, res.text);
  assert.match(res.text, /<Code>ValidationError<\/Code>/);
  assert.match(res.text, new RegExp(`'${path}' failed to satisfy constraint: Member must have length less than or equal to ${limit}<`));
  // Refused before decoding, so the members are not echoed back.
  assert.ok(res.text.length < 2_000, `${res.text.length} bytes of error`);
}

test('AssumeRole takes 10 PolicyArns, as AWS does, and refuses 11 and 10,000 with a ValidationError', async () => {
  // Ten pass validation: the root user is then refused by AssumeRole itself.
  const ten = await assumeRole(10);
  assert.equal(ten.status, 403, ten.text);
  assert.match(ten.text, /<Code>AccessDenied<\/Code>/);
  assertRefused(await assumeRole(11), 'policyArns', 10);
  assertRefused(await assumeRole(10_000), 'policyArns', 10);
});

test('10,000 tags on CreateUser are refused by the model limit of 50 and no user is created', async () => {
  const query = iamQuery(shared.server);
  const userName = uniqueName('tagged').replace(/\//g, '-');
  const res = await query.send('iam', {
    Action: 'CreateUser',
    UserName: userName,
    ...members(10_000, (i) => ({ [`Tags.member.${i}.Key`]: `k${i}`, [`Tags.member.${i}.Value`]: 'v' })),
  });
  assertRefused(res, 'tags', 50);
  const lookup = await query.send('iam', { Action: 'GetUser', UserName: userName });
  assert.equal(lookup.status, 404, lookup.text);
});

test('a list neither the model nor AWS bounds is held to 1,000 members', async () => {
  const res = await iamQuery(shared.server).send('iam', {
    Action: 'SimulatePrincipalPolicy',
    PolicySourceArn: 'arn:aws:iam::000000000000:user/nobody',
    ...members(10_000, (i) => ({ [`ActionNames.member.${i}`]: `secretsmanager:Action${i}` })),
  });
  assertRefused(res, 'actionNames', 1000);
});
