import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Authorizer, type Caller } from '../../src/iam/authorizer.js';
import { parsePolicy } from '../../src/iam/policy/index.js';
import type { CallerPolicies, PrincipalDirectory } from '../../src/iam/principal-directory.js';

const ACCOUNT = '111122223333';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:app/db-AbCdEf`;
const READ = 'secretsmanager:GetSecretValue';

const allow = (action: string, resource: string, extra: object = {}) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource, ...extra }] });

/** A directory with fixed answers, counting lookups. */
function directory(entries: Record<string, CallerPolicies>): PrincipalDirectory & { calls: number } {
  return {
    calls: 0,
    async policiesOf(arn) {
      this.calls++;
      return entries[arn];
    },
  };
}

const caller = (principalArn: string, extra: Partial<Caller> = {}): Caller => ({ principalArn, secureTransport: false, now: Date.UTC(2026, 0, 1), sourceIp: '127.0.0.1', ...extra });
const alicePolicies = (document: string): CallerPolicies => ({ identityPolicies: [parsePolicy(document, 'identity')], principalTags: { team: 'blue' }, userId: 'AIDAALICE' });

test('a user is allowed what an identity policy allows, and nothing else, with AWS\'s message', async () => {
  const authorizer = new Authorizer(directory({ [ALICE]: alicePolicies(allow(READ, 'arn:aws:secretsmanager:*:*:secret:app/*')) }));
  assert.deepEqual(await authorizer.decide(caller(ALICE), { action: READ, resource: SECRET }), { allowed: true });
  assert.deepEqual(await authorizer.decide(caller(ALICE), { action: 'secretsmanager:PutSecretValue', resource: SECRET }), {
    allowed: false,
    message: `User: ${ALICE} is not authorized to perform: secretsmanager:PutSecretValue on resource: ${SECRET} because no identity-based policy allows the secretsmanager:PutSecretValue action`,
  });
});

test('an unknown principal (no directory entry, or no directory) is allowed nothing; the account root everything', async () => {
  for (const authorizer of [new Authorizer(), new Authorizer(directory({}))]) {
    assert.equal((await authorizer.decide(caller(ALICE), { action: READ, resource: SECRET })).allowed, false);
    assert.equal((await authorizer.decide(caller(ROOT), { action: READ, resource: SECRET })).allowed, true);
  }
});

test('principal tags and the caller\'s address reach conditions', async () => {
  const byTag = allow(READ, '*', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' }, IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } });
  const authorizer = new Authorizer(directory({ [ALICE]: alicePolicies(byTag) }));
  assert.equal((await authorizer.decide(caller(ALICE), { action: READ, resource: SECRET })).allowed, true);
  assert.equal((await authorizer.decide(caller(ALICE, { sourceIp: '10.1.2.3' }), { action: READ, resource: SECRET })).allowed, false);
});

test('a resource policy grants alone within the account, and its explicit Deny beats an identity Allow', async () => {
  const authorizer = new Authorizer(directory({ [ALICE]: alicePolicies(allow('secretsmanager:ListSecrets', '*')) }));
  const grant = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ALICE }, Action: READ, Resource: '*' }] });
  assert.equal((await authorizer.decide(caller(ALICE), { action: READ, resource: SECRET, resourcePolicy: grant })).allowed, true);
  const deny = grant.replace('"Allow"', '"Deny"');
  const outcome = await authorizer.decide(caller(ALICE), { action: 'secretsmanager:ListSecrets', resource: '*', resourcePolicy: deny.replace(READ, '*') });
  assert.deepEqual(outcome, {
    allowed: false,
    message: `User: ${ALICE} is not authorized to perform: secretsmanager:ListSecrets with an explicit deny in a resource-based policy`,
  });
});

test('a session policy narrows the role session; a key policy is required when the target says so', async () => {
  const session = `arn:aws:sts::${ACCOUNT}:assumed-role/reader/s1`;
  const role = `arn:aws:iam::${ACCOUNT}:role/reader`;
  const authorizer = new Authorizer(directory({ [session]: { identityPolicies: [parsePolicy(allow('secretsmanager:*', '*'), 'identity')], principalTags: {}, userId: 'AROAREADER:s1' } }));
  const narrowed = caller(session, { sessionIssuerArn: role, sessionPolicy: allow(READ, SECRET) });
  assert.equal((await authorizer.decide(narrowed, { action: READ, resource: SECRET })).allowed, true);
  const refused = await authorizer.decide(narrowed, { action: 'secretsmanager:DeleteSecret', resource: SECRET });
  assert.equal(refused.allowed, false);
  assert.match((refused as { message: string }).message, /because no session policy allows the secretsmanager:DeleteSecret action$/);

  const keyArn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const keyPolicyForOthers = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*' }] });
  const target = { action: 'kms:Decrypt', resource: keyArn, resourcePolicy: keyPolicyForOthers, resourcePolicyRequired: true };
  assert.equal((await authorizer.decide(caller(session, { sessionIssuerArn: role }), target)).allowed, false);
});

test('a stored policy that no longer parses grants nothing and denies the resource', async () => {
  const authorizer = new Authorizer(directory({ [ALICE]: alicePolicies(allow(READ, '*')) }));
  assert.equal((await authorizer.decide(caller(ALICE), { action: READ, resource: SECRET, resourcePolicy: '{not json' })).allowed, false);
  assert.equal((await authorizer.decide(caller(ROOT), { action: READ, resource: SECRET, resourcePolicy: '{not json' })).allowed, false);
});

test('the decisions of one request share what the caller is, but a policy changed during it applies at once', async () => {
  const entries: Record<string, CallerPolicies> = { [ALICE]: alicePolicies(allow(READ, '*', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } })) };
  const authorizer = new Authorizer(directory(entries));
  const request = caller(ALICE);
  assert.equal((await authorizer.decide(request, { action: READ, resource: SECRET })).allowed, true);
  assert.equal((await authorizer.decide(request, { action: READ, resource: `${SECRET}-other` })).allowed, true);
  // As a long poll goes on: the user's tag and policy change, and the directory answers anew.
  entries[ALICE] = { ...alicePolicies(allow(READ, '*', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } })), principalTags: { team: 'red' } };
  assert.equal((await authorizer.decide(request, { action: READ, resource: SECRET })).allowed, false);
});
