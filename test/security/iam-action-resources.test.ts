// Every IAM and STS action Coffer serves is authorized against the resource AWS's service
// authorization reference gives it. A caller allowed everything but denied the target
// resource is refused on exactly that resource; a caller allowed only the target resources
// gets past authorization. AddUserToGroup is on the group: Deny group/admins keeps a user
// out of admins even with iam:AddUserToGroup on "*".
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { iamService } from '../../src/api/iam/iam-service.js';
import { startServer, type TestServer } from '../support/coffer-server.js';
import { iamQuery, xmlElement, type IamQuery } from '../support/iam-query.js';
import type { RawCredentials } from '../support/raw-client.js';
import { uniqueName } from '../support/sdk-errors.js';

const ACCOUNT = '000000000000';
const arn = (resource: string) => `arn:aws:iam::${ACCOUNT}:${resource}`;
const suffix = uniqueName('x').slice(2);
const USER = `target-user-${suffix}`;
const GROUP = `admins-${suffix}`;
const ROLE = `target-role-${suffix}`;
const POLICY = `target-policy-${suffix}`;
const TARGETS = { user: arn(`user/${USER}`), group: arn(`group/${GROUP}`), role: arn(`role/${ROLE}`), policy: arn(`policy/${POLICY}`), none: '*' };
type Kind = keyof typeof TARGETS;

const DOCUMENT = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:ListSecrets', Resource: '*' }] });
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: arn('root') }, Action: 'sts:AssumeRole' }] });
const user = { UserName: USER };
const group = { GroupName: GROUP };
const role = { RoleName: ROLE };
const policyArn = { PolicyArn: TARGETS.policy };
const tag = { 'Tags.member.1.Key': 'team', 'Tags.member.1.Value': 'blue' };
const inline = { PolicyName: 'inline', PolicyDocument: DOCUMENT };

/** Each IAM operation, what it is authorized against, and an input for it; deletions come last. */
const IAM_ACTIONS: Array<[string, Kind, Record<string, string>]> = [
  ['ListUsers', 'none', {}],
  ['ListGroups', 'none', {}],
  ['ListRoles', 'none', {}],
  ['ListPolicies', 'none', {}],
  ['CreateUser', 'user', user],
  ['GetUser', 'user', user],
  ['CreateAccessKey', 'user', user],
  ['ListAccessKeys', 'user', user],
  ['UpdateAccessKey', 'user', { ...user, AccessKeyId: 'AKIAIOSFODNN7EXAMPLE', Status: 'Inactive' }],
  ['DeleteAccessKey', 'user', { ...user, AccessKeyId: 'AKIAIOSFODNN7EXAMPLE' }],
  ['ListGroupsForUser', 'user', user],
  ['TagUser', 'user', { ...user, ...tag }],
  ['ListUserTags', 'user', user],
  ['UntagUser', 'user', { ...user, 'TagKeys.member.1': 'team' }],
  ['CreateGroup', 'group', group],
  ['GetGroup', 'group', group],
  ['AddUserToGroup', 'group', { ...group, ...user }],
  ['RemoveUserFromGroup', 'group', { ...group, ...user }],
  ['CreateRole', 'role', { ...role, AssumeRolePolicyDocument: TRUST }],
  ['GetRole', 'role', role],
  ['UpdateAssumeRolePolicy', 'role', { ...role, PolicyDocument: TRUST }],
  ['TagRole', 'role', { ...role, ...tag }],
  ['ListRoleTags', 'role', role],
  ['UntagRole', 'role', { ...role, 'TagKeys.member.1': 'team' }],
  ['CreatePolicy', 'policy', { PolicyName: POLICY, PolicyDocument: DOCUMENT }],
  ['GetPolicy', 'policy', policyArn],
  ['GetPolicyVersion', 'policy', { ...policyArn, VersionId: 'v1' }],
  ['ListEntitiesForPolicy', 'policy', policyArn],
  ...(['User', 'Group', 'Role'] as const).flatMap((title): Array<[string, Kind, Record<string, string>]> => {
    const kind = title.toLowerCase() as Kind;
    const entity = { [`${title}Name`]: { user: USER, group: GROUP, role: ROLE }[kind as 'user'] };
    return [
      [`Put${title}Policy`, kind, { ...entity, ...inline }],
      [`Get${title}Policy`, kind, { ...entity, PolicyName: 'inline' }],
      [`List${title}Policies`, kind, entity],
      [`Delete${title}Policy`, kind, { ...entity, PolicyName: 'inline' }],
      [`Attach${title}Policy`, kind, { ...entity, ...policyArn }],
      [`ListAttached${title}Policies`, kind, entity],
      [`Detach${title}Policy`, kind, { ...entity, ...policyArn }],
    ];
  }),
  ['DeletePolicy', 'policy', policyArn],
  ['DeleteRole', 'role', role],
  ['DeleteGroup', 'group', group],
  ['DeleteUser', 'user', user],
];

let server: TestServer;
let iam: IamQuery;
before(async () => {
  server = await startServer();
  iam = iamQuery(server);
});
after(async () => assert.equal(await server.stop(), 0));

const deniedMessage = (caller: string, action: string, resource: string) =>
  `User: ${caller} is not authorized to perform: ${action} on resource: ${resource}`;

async function outcome(service: 'iam' | 'sts', action: string, input: Record<string, string>, credentials: RawCredentials) {
  const res = await iam.send(service, { Action: action, ...input }, credentials);
  return { status: res.status, code: xmlElement(res.text, 'Code'), message: xmlElement(res.text, 'Message') ?? '', text: res.text };
}

test('the table names every IAM operation Coffer serves', () => {
  const served = Object.keys(iamService({ directory: {} } as never).handlers).sort();
  assert.deepEqual(IAM_ACTIONS.map(([action]) => action).sort(), served);
});

test('each IAM action is refused by a Deny on its own resource, and allowed by an Allow scoped to it', async () => {
  const denied = await iam.userWith('denied', [
    { Effect: 'Allow', Action: ['iam:*', 'sts:*'], Resource: '*' },
    { Effect: 'Deny', Action: ['iam:*', 'sts:*'], Resource: [TARGETS.user, TARGETS.group, TARGETS.role, TARGETS.policy] },
  ]);
  const scoped = await iam.userWith('scoped', [
    { Effect: 'Allow', Action: 'iam:*', Resource: [TARGETS.user, TARGETS.group, TARGETS.role, TARGETS.policy] },
    { Effect: 'Allow', Action: ['iam:ListUsers', 'iam:ListGroups', 'iam:ListRoles', 'iam:ListPolicies'], Resource: '*' },
  ]);
  for (const [action, kind, input] of IAM_ACTIONS) {
    const refused = await outcome('iam', action, input, denied.credentials);
    if (kind === 'none') {
      assert.equal(refused.status, 200, `${action}: ${refused.text}`);
    } else {
      assert.equal(refused.code, 'AccessDenied', `${action}: ${refused.text}`);
      assert.ok(refused.message.startsWith(deniedMessage(denied.arn, `iam:${action}`, TARGETS[kind])), `${action}: ${refused.message}`);
    }
    const allowed = await outcome('iam', action, input, scoped.credentials);
    assert.notEqual(allowed.code, 'AccessDenied', `${action} scoped to ${TARGETS[kind]}: ${allowed.text}`);
  }
});

test('AddUserToGroup with iam:AddUserToGroup on "*" and a Deny on group/admins does not join admins', async () => {
  const group = `admins-${uniqueName('g').slice(2)}`;
  await iam.admin({ Action: 'CreateGroup', GroupName: group });
  const climber = await iam.userWith('climber', [
    { Effect: 'Allow', Action: ['iam:AddUserToGroup', 'iam:ListGroupsForUser'], Resource: '*' },
    { Effect: 'Deny', Action: 'iam:AddUserToGroup', Resource: arn(`group/${group}`) },
  ]);
  const refused = await outcome('iam', 'AddUserToGroup', { GroupName: group, UserName: climber.userName }, climber.credentials);
  assert.equal(refused.code, 'AccessDenied', refused.text);
  const groups = await iam.admin({ Action: 'ListGroupsForUser', UserName: climber.userName });
  assert.equal(xmlElement(groups, 'GroupName'), undefined, groups);
});

test('Attach*Policy carries iam:PolicyARN: a Deny on one policy ARN refuses attaching it to any entity', async () => {
  const name = `admin-policy-${uniqueName('p').slice(2)}`;
  const policy = xmlElement(await iam.admin({ Action: 'CreatePolicy', PolicyName: name, PolicyDocument: DOCUMENT }), 'Arn')!;
  const attacher = await iam.userWith('attacher', [
    { Effect: 'Allow', Action: 'iam:AttachUserPolicy', Resource: '*' },
    { Effect: 'Deny', Action: 'iam:AttachUserPolicy', Resource: '*', Condition: { ArnEquals: { 'iam:PolicyARN': policy } } },
  ]);
  const refused = await outcome('iam', 'AttachUserPolicy', { UserName: attacher.userName, PolicyArn: policy }, attacher.credentials);
  assert.equal(refused.code, 'AccessDenied', refused.text);
  assert.ok(refused.message.startsWith(deniedMessage(attacher.arn, 'iam:AttachUserPolicy', attacher.arn)), refused.message);
});

test('STS: GetCallerIdentity and GetSessionToken need no permission; AssumeRole is authorized on the role', async () => {
  const roleName = `sts-role-${uniqueName('r').slice(2)}`;
  const roleArn = xmlElement(await iam.admin({ Action: 'CreateRole', RoleName: roleName, AssumeRolePolicyDocument: TRUST }), 'Arn')!;
  const denied = await iam.userWith('sts-denied', [
    { Effect: 'Allow', Action: 'sts:*', Resource: '*' },
    { Effect: 'Deny', Action: '*', Resource: [roleArn, '*'] },
  ]);
  const scoped = await iam.userWith('sts-scoped', [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn }]);
  for (const action of ['GetCallerIdentity', 'GetSessionToken']) {
    const answer = await outcome('sts', action, {}, denied.credentials);
    assert.equal(answer.status, 200, `${action}: ${answer.text}`);
  }
  const assume = { RoleArn: roleArn, RoleSessionName: 'probe' };
  const refused = await outcome('sts', 'AssumeRole', assume, denied.credentials);
  assert.equal(refused.code, 'AccessDenied', refused.text);
  assert.ok(refused.message.startsWith(deniedMessage(denied.arn, 'sts:AssumeRole', roleArn)), refused.message);
  assert.equal((await outcome('sts', 'AssumeRole', assume, scoped.credentials)).status, 200);
});
