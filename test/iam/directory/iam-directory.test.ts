// The IAM directory on a real (in-memory) SQLite storage: each operation's rule and AWS error,
// the cascades IAM refuses, and policiesOf's cache following every change.
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ServiceError } from '../../../src/errors/service-error.js';
import { AccessKeyStore } from '../../../src/iam/access-key-store.js';
import { IamDirectory } from '../../../src/iam/directory/iam-directory.js';
import type { IamScope } from '../../../src/iam/directory/iam-ids.js';
import { buildAuthorizationRequest, evaluate } from '../../../src/iam/policy/index.js';
import { RootKey } from '../../../src/keys/root-key.js';
import { SqliteStorage } from '../../../src/storage/sqlite/sqlite-storage.js';

const ACCOUNT = '111122223333';
const scope: IamScope = { account: ACCOUNT, partition: 'aws', now: Date.UTC(2030, 0, 1) };
const allow = (action: string, resource = '*') => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });
const trust = (principal: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }] });
const userArn = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;

function iamError(code: string, status: number, message?: string | RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ServiceError, String(error));
    assert.equal(error.code, code, error.message);
    assert.equal(error.status, status);
    if (typeof message === 'string') assert.equal(error.message, message);
    else if (message) assert.match(error.message, message);
    return true;
  };
}

let storage: SqliteStorage;
let accessKeys: AccessKeyStore;
let iam: IamDirectory;

beforeEach(() => {
  storage = SqliteStorage.open(':memory:');
  accessKeys = new AccessKeyStore(storage, new RootKey(randomBytes(32)));
  iam = new IamDirectory(storage, accessKeys);
});

/** Whether the user's identity policies allow the action, as the authorization layer will ask. */
async function allows(principalArn: string, action: string): Promise<boolean> {
  const policies = await iam.policiesOf(principalArn);
  assert.ok(policies, `no principal ${principalArn}`);
  const request = buildAuthorizationRequest({ principalArn, action, resource: '*' });
  return evaluate({ identityPolicies: policies.identityPolicies }, request).decision === 'Allow';
}

describe('users, groups and roles', () => {
  test('a user gets an AIDA id and its ARN carries the path; names are unique regardless of case', async () => {
    const user = await iam.entities.create(scope, 'user', { name: 'Alice', path: '/eng/' });
    assert.match(user.id, /^AIDA[A-Z2-7]{17}$/);
    assert.equal(user.arn, `arn:aws:iam::${ACCOUNT}:user/eng/Alice`);
    await assert.rejects(iam.entities.create(scope, 'user', { name: 'alice' }), iamError('EntityAlreadyExists', 409, 'User with name alice already exists.'));
    assert.equal((await iam.entities.get(scope, 'user', 'ALICE')).name, 'Alice');
    await assert.rejects(iam.entities.get(scope, 'user', 'bob'), iamError('NoSuchEntity', 404, 'The user with name bob cannot be found.'));
  });

  test('groups and roles get AGPA and AROA ids; a role keeps its trust policy and a 3600 s default session', async () => {
    assert.match((await iam.entities.create(scope, 'group', { name: 'devs' })).id, /^AGPA/);
    const role = await iam.entities.create(scope, 'role', { name: 'app', trustPolicy: trust(ROOT) });
    assert.match(role.id, /^AROA/);
    assert.equal(role.maxSessionDuration, 3600);
    await assert.rejects(
      iam.entities.create(scope, 'role', { name: 'bad', trustPolicy: allow('s3:*') }),
      iamError('MalformedPolicyDocument', 400, 'Missing required field Principal'),
    );
  });

  test('ListUsers pages by name with Marker and IsTruncated, and filters by path prefix', async () => {
    for (const name of ['carol', 'alice', 'Bob']) await iam.entities.create(scope, 'user', { name, path: name === 'carol' ? '/ops/' : '/' });
    const first = await iam.entities.list(scope, 'user', { MaxItems: 2 });
    assert.deepEqual(first.items.map((u) => u.name), ['alice', 'Bob']);
    assert.equal(first.IsTruncated, true);
    const second = await iam.entities.list(scope, 'user', { MaxItems: 2, Marker: first.Marker });
    assert.deepEqual(second.items.map((u) => u.name), ['carol']);
    assert.equal(second.IsTruncated, false);
    assert.equal(second.Marker, undefined);
    assert.deepEqual((await iam.entities.list(scope, 'user', { PathPrefix: '/ops/' })).items.map((u) => u.name), ['carol']);
  });

  test('tags merge by key, untag removes keys', async () => {
    await iam.entities.create(scope, 'user', { name: 'u', tags: [{ Key: 'a', Value: '1' }] });
    await iam.entities.tag(scope, 'user', 'u', [{ Key: 'a', Value: '2' }, { Key: 'b', Value: '3' }]);
    await iam.entities.untag(scope, 'user', 'u', ['b']);
    assert.deepEqual((await iam.entities.get(scope, 'user', 'u')).tags, [{ Key: 'a', Value: '2' }]);
  });
});

describe('deletion conflicts', () => {
  test('a user with access keys, inline policies, attached policies or groups cannot be deleted', async () => {
    await iam.entities.create(scope, 'user', { name: 'u' });
    const owner = await iam.accessKeys.owner(scope, 'u', ROOT);
    const key = await iam.accessKeys.create(scope, owner);
    await assert.rejects(iam.entities.delete(scope, 'user', 'u'), iamError('DeleteConflict', 409, 'Cannot delete entity, must delete access keys first.'));
    await iam.accessKeys.delete(owner, key.accessKeyId);

    await iam.inlinePolicies.put(scope, 'user', 'u', 'p', allow('s3:*'));
    await assert.rejects(iam.entities.delete(scope, 'user', 'u'), iamError('DeleteConflict', 409, 'Cannot delete entity, must delete policies first.'));
    await iam.inlinePolicies.delete(scope, 'user', 'u', 'p');

    const policy = await iam.managedPolicies.create(scope, { name: 'm', document: allow('s3:*') });
    await iam.managedPolicies.attach(scope, 'user', 'u', policy.arn);
    await assert.rejects(iam.entities.delete(scope, 'user', 'u'), iamError('DeleteConflict', 409, 'Cannot delete entity, must detach all policies first.'));
    await assert.rejects(iam.managedPolicies.delete(policy.arn), iamError('DeleteConflict', 409, 'Cannot delete a policy attached to entities.'));
    await iam.managedPolicies.detach(scope, 'user', 'u', policy.arn);
    await iam.managedPolicies.delete(policy.arn);

    await iam.entities.create(scope, 'group', { name: 'g' });
    await iam.groups.addUser(scope, 'g', 'u');
    await assert.rejects(iam.entities.delete(scope, 'group', 'g'), iamError('DeleteConflict', 409, 'Cannot delete entity, must remove users from group first.'));
    await assert.rejects(iam.entities.delete(scope, 'user', 'u'), iamError('DeleteConflict', 409));
    await iam.groups.removeUser(scope, 'g', 'u');
    await iam.entities.delete(scope, 'user', 'u');
    await iam.entities.delete(scope, 'group', 'g');
    await assert.rejects(iam.entities.get(scope, 'user', 'u'), iamError('NoSuchEntity', 404));
  });
});

describe('quotas and policy documents', () => {
  test('two access keys per user; a third is LimitExceeded', async () => {
    await iam.entities.create(scope, 'user', { name: 'u' });
    const owner = await iam.accessKeys.owner(scope, 'u', ROOT);
    await iam.accessKeys.create(scope, owner);
    await iam.accessKeys.create(scope, owner);
    await assert.rejects(iam.accessKeys.create(scope, owner), iamError('LimitExceeded', 409, 'Cannot exceed quota for AccessKeysPerUser: 2'));
  });

  test('ten managed policies per identity', async () => {
    await iam.entities.create(scope, 'role', { name: 'r', trustPolicy: trust(ROOT) });
    for (let i = 0; i < 11; i++) {
      const policy = await iam.managedPolicies.create(scope, { name: `p${i}`, document: allow('s3:*') });
      const attaching = iam.managedPolicies.attach(scope, 'role', 'r', policy.arn);
      if (i < 10) await attaching;
      else await assert.rejects(attaching, iamError('LimitExceeded', 409, 'Cannot exceed quota for PoliciesPerRole: 10'));
    }
    assert.equal((await iam.managedPolicies.get(`arn:aws:iam::${ACCOUNT}:policy/p0`)).attachmentCount, 1);
  });

  test('a malformed document is refused with AWS\'s message; unknown policies and versions are NoSuchEntity', async () => {
    await iam.entities.create(scope, 'user', { name: 'u' });
    await assert.rejects(iam.inlinePolicies.put(scope, 'user', 'u', 'p', '{"Statement":'), iamError('MalformedPolicyDocument', 400, 'Syntax errors in policy.'));
    await assert.rejects(iam.inlinePolicies.put(scope, 'user', 'u', 'p', trust(ROOT)), iamError('MalformedPolicyDocument', 400));
    const arn = `arn:aws:iam::${ACCOUNT}:policy/none`;
    await assert.rejects(iam.managedPolicies.attach(scope, 'user', 'u', arn), iamError('NoSuchEntity', 404, `Policy ${arn} does not exist or is not attachable.`));
    const policy = await iam.managedPolicies.create(scope, { name: 'm', path: '/x/', document: allow('s3:*') });
    assert.equal(policy.arn, `arn:aws:iam::${ACCOUNT}:policy/x/m`);
    assert.equal((await iam.managedPolicies.version(policy.arn, 'v1')).document, allow('s3:*'));
    await assert.rejects(iam.managedPolicies.version(policy.arn, 'v2'), iamError('NoSuchEntity', 404));
    await assert.rejects(iam.managedPolicies.create(scope, { name: 'M', document: allow('s3:*') }), iamError('EntityAlreadyExists', 409));
  });

  test('a user\'s inline policies share a 2048-character quota', async () => {
    await iam.entities.create(scope, 'user', { name: 'u' });
    const big = allow(`s3:${'x'.repeat(1100)}`);
    await iam.inlinePolicies.put(scope, 'user', 'u', 'one', big);
    await iam.inlinePolicies.put(scope, 'user', 'u', 'one', big); // replacing counts once
    await assert.rejects(iam.inlinePolicies.put(scope, 'user', 'u', 'two', big), iamError('LimitExceeded', 409, 'Maximum policy size of 2048 bytes exceeded for user u'));
  });
});

describe('policiesOf', () => {
  test('reflects a PutUserPolicy at once, and a repeated call is served from memory', async () => {
    await iam.entities.create(scope, 'user', { name: 'u', tags: [{ Key: 'team', Value: 'blue' }] });
    const first = await iam.policiesOf(userArn('u'));
    assert.deepEqual(first?.identityPolicies, []);
    assert.deepEqual(first?.principalTags, { team: 'blue' });
    assert.match(first!.userId, /^AIDA/);
    assert.equal(await iam.policiesOf(userArn('u')), first, 'cached: the same object');

    await iam.inlinePolicies.put(scope, 'user', 'u', 'read', allow('secretsmanager:GetSecretValue'));
    assert.equal(await allows(userArn('u'), 'secretsmanager:GetSecretValue'), true);
    await iam.inlinePolicies.delete(scope, 'user', 'u', 'read');
    assert.equal(await allows(userArn('u'), 'secretsmanager:GetSecretValue'), false);
  });

  test('a user gets its groups\' inline and attached policies; detaching and leaving take them away', async () => {
    await iam.entities.create(scope, 'user', { name: 'u' });
    await iam.entities.create(scope, 'group', { name: 'g' });
    await iam.groups.addUser(scope, 'g', 'u');
    await iam.inlinePolicies.put(scope, 'group', 'g', 'kms', allow('kms:Decrypt'));
    const managed = await iam.managedPolicies.create(scope, { name: 'sm', document: allow('secretsmanager:ListSecrets') });
    await iam.managedPolicies.attach(scope, 'group', 'g', managed.arn);
    assert.equal(await allows(userArn('u'), 'kms:Decrypt'), true);
    assert.equal(await allows(userArn('u'), 'secretsmanager:ListSecrets'), true);
    await iam.managedPolicies.detach(scope, 'group', 'g', managed.arn);
    assert.equal(await allows(userArn('u'), 'secretsmanager:ListSecrets'), false);
    await iam.groups.removeUser(scope, 'g', 'u');
    assert.equal(await allows(userArn('u'), 'kms:Decrypt'), false);
  });

  test('a role session gets the role\'s policies and an AROA...:session user id; unknown principals get none', async () => {
    const role = await iam.entities.create(scope, 'role', { name: 'app', path: '/svc/', trustPolicy: trust(ROOT) });
    await iam.inlinePolicies.put(scope, 'role', 'app', 'p', allow('kms:Encrypt'));
    const session = await iam.policiesOf(`arn:aws:sts::${ACCOUNT}:assumed-role/app/s1`);
    assert.equal(session?.userId, `${role.id}:s1`);
    assert.equal(session?.identityPolicies.length, 1);
    assert.equal((await iam.policiesOf(role.arn))?.userId, role.id);
    assert.equal(await iam.policiesOf(`arn:aws:sts::${ACCOUNT}:assumed-role/other/s1`), undefined);
    assert.equal(await iam.policiesOf(userArn('nobody')), undefined);
    assert.deepEqual(await iam.policiesOf(ROOT), { identityPolicies: [], principalTags: {}, userId: ACCOUNT });
  });
});

describe('STS sessions', () => {
  const caller = (principalArn: string, accessKeyId = 'AKIAEXAMPLE') => ({ principalArn, accessKeyId });

  test('a trust policy naming the user lets it assume the role without any identity policy', async () => {
    await iam.entities.create(scope, 'user', { name: 'u' });
    const role = await iam.entities.create(scope, 'role', { name: 'app', trustPolicy: trust(userArn('u')) });
    const session = await iam.sessions.assumeRole(scope, caller(userArn('u')), { roleArn: role.arn, sessionName: 's1' });
    assert.equal(session.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app/s1`);
    assert.equal(session.assumedRoleId, `${role.id}:s1`);
    assert.equal(session.expiresAt, scope.now + 3600_000);
    assert.match(session.credentials.accessKeyId, /^ASIA/);
    const stored = await storage.accessKeys.find(session.credentials.accessKeyId);
    assert.equal(stored?.sessionIssuerArn, role.arn);
    assert.notEqual(stored?.sessionTokenHash, session.credentials.sessionToken);
    assert.ok(!JSON.stringify(stored).includes(session.credentials.sessionToken), 'the token is not stored');
  });

  test('a trust policy naming the account delegates to the caller\'s identity policies', async () => {
    await iam.entities.create(scope, 'user', { name: 'u' });
    const role = await iam.entities.create(scope, 'role', { name: 'app', trustPolicy: trust(ROOT) });
    const denied = `User: ${userArn('u')} is not authorized to perform: sts:AssumeRole on resource: ${role.arn}`;
    await assert.rejects(iam.sessions.assumeRole(scope, caller(userArn('u')), { roleArn: role.arn, sessionName: 's' }), iamError('AccessDenied', 403, denied));
    await iam.inlinePolicies.put(scope, 'user', 'u', 'assume', allow('sts:AssumeRole', role.arn));
    await iam.sessions.assumeRole(scope, caller(userArn('u')), { roleArn: role.arn, sessionName: 's' });
  });

  test('unknown roles are AccessDenied, root may not assume roles, durations are bounded by the role', async () => {
    await iam.entities.create(scope, 'user', { name: 'u' });
    const role = await iam.entities.create(scope, 'role', { name: 'app', trustPolicy: trust(userArn('u')), maxSessionDuration: 7200 });
    await assert.rejects(
      iam.sessions.assumeRole(scope, caller(userArn('u')), { roleArn: `${role.arn}x`, sessionName: 's' }),
      iamError('AccessDenied', 403, /not authorized to perform: sts:AssumeRole/),
    );
    await assert.rejects(iam.sessions.assumeRole(scope, caller(ROOT), { roleArn: role.arn, sessionName: 's' }), iamError('AccessDenied', 403, 'Roles may not be assumed by root accounts.'));
    await assert.rejects(
      iam.sessions.assumeRole(scope, caller(userArn('u')), { roleArn: role.arn, sessionName: 's', durationSeconds: 7201 }),
      iamError('ValidationError', 400, 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'),
    );
    const long = await iam.sessions.assumeRole(scope, caller(userArn('u')), { roleArn: role.arn, sessionName: 's', durationSeconds: 7200 });
    assert.equal(long.expiresAt, scope.now + 7200_000);
  });

  test('session policies: the inline one and managed ones become one stored document; too large is refused', async () => {
    await iam.entities.create(scope, 'user', { name: 'u' });
    const role = await iam.entities.create(scope, 'role', { name: 'app', trustPolicy: trust(userArn('u')) });
    const managed = await iam.managedPolicies.create(scope, { name: 'm', document: allow('kms:Decrypt') });
    const session = await iam.sessions.assumeRole(scope, caller(userArn('u')), {
      roleArn: role.arn,
      sessionName: 's',
      policy: allow('secretsmanager:GetSecretValue'),
      policyArns: [managed.arn],
    });
    assert.ok(session.packedSize! > 0 && session.packedSize! <= 100);
    const stored = JSON.parse((await storage.accessKeys.find(session.credentials.accessKeyId))!.sessionPolicy!);
    assert.deepEqual(stored.Statement.map((s: { Action: string }) => s.Action), ['secretsmanager:GetSecretValue', 'kms:Decrypt']);
    await assert.rejects(
      iam.sessions.assumeRole(scope, caller(userArn('u')), { roleArn: role.arn, sessionName: 's', policy: allow(`s3:${'x'.repeat(2100)}`) }),
      iamError('ValidationError', 400),
    );
    await assert.rejects(
      iam.sessions.assumeRole(scope, caller(userArn('u')), { roleArn: role.arn, sessionName: 's', policy: '{"Version":"2012-10-17"' }),
      iamError('MalformedPolicyDocument', 400),
    );
  });

  test('role chaining: a role session may assume another role for an hour at most', async () => {
    await iam.entities.create(scope, 'user', { name: 'u' });
    const first = await iam.entities.create(scope, 'role', { name: 'first', trustPolicy: trust(userArn('u')) });
    const second = await iam.entities.create(scope, 'role', { name: 'second', trustPolicy: trust(first.arn), maxSessionDuration: 43200 });
    const session = await iam.sessions.assumeRole(scope, caller(userArn('u')), { roleArn: first.arn, sessionName: 'a' });
    const chained = { principalArn: session.arn, accessKeyId: session.credentials.accessKeyId, sessionIssuerArn: first.arn };
    await assert.rejects(
      iam.sessions.assumeRole(scope, chained, { roleArn: second.arn, sessionName: 'b', durationSeconds: 7200 }),
      iamError('ValidationError', 400, 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.'),
    );
    const next = await iam.sessions.assumeRole(scope, chained, { roleArn: second.arn, sessionName: 'b' });
    assert.equal(next.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/second/b`);
  });

  test('GetSessionToken: 12 hours for users by default, the root user capped at one; not with session credentials', async () => {
    await iam.entities.create(scope, 'user', { name: 'u' });
    assert.equal((await iam.sessions.sessionToken(scope, caller(userArn('u')), undefined)).expiresAt, scope.now + 43200_000);
    assert.equal((await iam.sessions.sessionToken(scope, caller(ROOT), 7200)).expiresAt, scope.now + 3600_000);
    await assert.rejects(
      iam.sessions.sessionToken(scope, caller(userArn('u'), 'ASIAEXAMPLE'), undefined),
      iamError('AccessDenied', 403, 'Cannot call GetSessionToken with session credentials'),
    );
  });
});
