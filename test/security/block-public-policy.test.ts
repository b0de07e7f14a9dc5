// BlockPublicPolicy refuses every statement that lets any principal in, unless a condition
// pins it with a positive operator and a non-wildcard value to an account, organization,
// VPC or endpoint, source ARN or bounded source address. A policy that slips through is
// then readable by a user with no policies at all, so the table tries the loose forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateSecretCommand, GetResourcePolicyCommand, PutResourcePolicyCommand, ValidateResourcePolicyCommand } from '@aws-sdk/client-secrets-manager';
import { sharedServer } from '../support/coffer-server.js';
import { rejectsWith, uniqueName } from '../support/sdk-errors.js';

const shared = sharedServer();
const ACCOUNT = '111111111111';

type Statement = Record<string, unknown>;
const read = (extra: Statement): Statement => ({ Effect: 'Allow', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*', ...extra });
const when = (operator: string, key: string, value: unknown): Statement => read({ Condition: { [operator]: { [key]: value } } });

const PUBLIC: Array<[string, Statement]> = [
  ['Principal "*" without a condition', read({})],
  ['Principal {"AWS":"*"}', read({ Principal: { AWS: '*' } })],
  ['Principal {"AWS":["*"]} beside an account', read({ Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:root`, '*'] } })],
  ['NotPrincipal', { Effect: 'Allow', NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }],
  ['StringLike aws:PrincipalAccount "*"', when('StringLike', 'aws:PrincipalAccount', '*')],
  ['StringLike aws:PrincipalAccount "1111*"', when('StringLike', 'aws:PrincipalAccount', '1111*')],
  ['StringLike aws:PrincipalAccount "????????????"', when('StringLike', 'aws:PrincipalAccount', '????????????')],
  ['StringNotEquals aws:PrincipalAccount', when('StringNotEquals', 'aws:PrincipalAccount', ACCOUNT)],
  ['StringNotLike aws:SourceVpc', when('StringNotLike', 'aws:SourceVpc', 'vpc-1234')],
  ['StringEqualsIfExists aws:SourceVpc', when('StringEqualsIfExists', 'aws:SourceVpc', 'vpc-1234')],
  ['StringEqualsIfExists aws:PrincipalAccount', when('StringEqualsIfExists', 'aws:PrincipalAccount', ACCOUNT)],
  ['ForAllValues:StringEquals aws:PrincipalOrgID', when('ForAllValues:StringEquals', 'aws:PrincipalOrgID', 'o-abc123')],
  ['StringEquals aws:PrincipalAccount with one wildcard value among literals', when('StringLike', 'aws:PrincipalAccount', [ACCOUNT, '*'])],
  ['StringEquals aws:PrincipalAccount with a policy variable', when('StringEquals', 'aws:PrincipalAccount', '${aws:PrincipalAccount}')],
  ['StringEquals aws:PrincipalAccount that is no account id', when('StringEquals', 'aws:PrincipalAccount', 'everyone')],
  ['StringEquals aws:PrincipalOrgID ""', when('StringEquals', 'aws:PrincipalOrgID', '')],
  ['ArnLike aws:PrincipalArn "arn:aws:iam::*:root"', when('ArnLike', 'aws:PrincipalArn', 'arn:aws:iam::*:root')],
  ['ArnLike aws:SourceArn "*"', when('ArnLike', 'aws:SourceArn', '*')],
  ['ArnNotEquals aws:SourceArn', when('ArnNotEquals', 'aws:SourceArn', `arn:aws:sns:us-east-1:${ACCOUNT}:topic`)],
  ['IpAddress aws:SourceIp 0.0.0.0/0', when('IpAddress', 'aws:SourceIp', '0.0.0.0/0')],
  ['IpAddress aws:SourceIp 0.0.0.0/1 and 128.0.0.0/1', when('IpAddress', 'aws:SourceIp', ['0.0.0.0/1', '128.0.0.0/1'])],
  ['IpAddress aws:SourceIp ::/0', when('IpAddress', 'aws:SourceIp', '::/0')],
  ['NotIpAddress aws:SourceIp', when('NotIpAddress', 'aws:SourceIp', '10.0.0.0/8')],
  ['StringEquals aws:SourceIp (not an address operator)', when('StringEquals', 'aws:SourceIp', '10.0.0.1')],
  ['StringEquals on a key that pins nothing (aws:UserAgent)', when('StringEquals', 'aws:UserAgent', 'aws-cli')],
  ['StringEquals aws:username (every account has such a user)', when('StringEquals', 'aws:username', 'alice')],
  ['Bool aws:SecureTransport', when('Bool', 'aws:SecureTransport', 'true')],
  ['Null aws:PrincipalAccount false', when('Null', 'aws:PrincipalAccount', 'false')],
];

const PRIVATE: Array<[string, Statement]> = [
  ['Principal is the account root', read({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } })],
  ['Principal is an account id', read({ Principal: { AWS: ACCOUNT } })],
  ['StringEquals aws:PrincipalAccount', when('StringEquals', 'aws:PrincipalAccount', ACCOUNT)],
  ['StringEquals aws:SourceAccount with two accounts', when('StringEquals', 'aws:SourceAccount', [ACCOUNT, '222222222222'])],
  ['StringEqualsIgnoreCase aws:PrincipalOrgID', when('StringEqualsIgnoreCase', 'aws:PrincipalOrgID', 'o-abc123')],
  ['StringLike aws:PrincipalAccount with no wildcard', when('StringLike', 'aws:PrincipalAccount', ACCOUNT)],
  ['ForAnyValue:StringLike aws:PrincipalOrgPaths "o-abc123/r-ab12/*"', when('ForAnyValue:StringLike', 'aws:PrincipalOrgPaths', 'o-abc123/r-ab12/*')],
  ['StringEquals aws:SourceVpc', when('StringEquals', 'aws:SourceVpc', 'vpc-1234')],
  ['StringEquals aws:SourceVpce', when('StringEquals', 'aws:SourceVpce', 'vpce-1234')],
  ['ArnEquals aws:SourceArn', when('ArnEquals', 'aws:SourceArn', `arn:aws:sns:us-east-1:${ACCOUNT}:topic`)],
  ['ArnLike aws:PrincipalArn with a wildcard only in the resource part', when('ArnLike', 'aws:PrincipalArn', `arn:aws:iam::${ACCOUNT}:role/app-*`)],
  ['IpAddress aws:SourceIp 10.0.0.0/8', when('IpAddress', 'aws:SourceIp', '10.0.0.0/8')],
  ['IpAddress aws:SourceIp one host', when('IpAddress', 'aws:SourceIp', '203.0.113.7')],
  ['IpAddress aws:SourceIp 2001:db8::/32', when('IpAddress', 'aws:SourceIp', '2001:db8::/32')],
  ['a loose condition beside a pinning one', read({ Condition: { StringLike: { 'aws:PrincipalAccount': '*' }, StringEquals: { 'aws:SourceVpc': 'vpc-1234' } } })],
  ['operator and key names in other cases', read({ Condition: { stringequals: { 'AWS:PRINCIPALACCOUNT': ACCOUNT } } })],
  ['a Deny naming everyone', { ...read({}), Effect: 'Deny' }],
];

const documentOf = (statements: Statement[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

test(`BlockPublicPolicy refuses ${PUBLIC.length} public policies and accepts ${PRIVATE.length} pinned ones; ValidateResourcePolicy agrees`, async () => {
  assert.ok(PUBLIC.length + PRIVATE.length >= 30);
  const name = uniqueName('public-policy');
  await shared.client.send(new CreateSecretCommand({ Name: name, SecretString: 'never public' }));
  const cases: Array<[string, string, boolean]> = [
    ...PUBLIC.map(([label, statement]): [string, string, boolean] => [label, documentOf([statement]), true]),
    ...PRIVATE.map(([label, statement]): [string, string, boolean] => [label, documentOf([statement]), false]),
    ['a pinned Allow beside an unpinned one', documentOf([when('StringEquals', 'aws:PrincipalAccount', ACCOUNT), read({})]), true],
  ];
  for (const [label, document, isPublic] of cases) {
    const validation = await shared.client.send(new ValidateResourcePolicyCommand({ ResourcePolicy: document }));
    assert.equal(validation.PolicyValidationPassed, !isPublic, `${label}: ValidateResourcePolicy`);
    const put = shared.client.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: document, BlockPublicPolicy: true }));
    if (isPublic) {
      await rejectsWith(put, 'PublicPolicyException', undefined, 400).catch((error: Error) => assert.fail(`${label}: ${error.message}`));
      const stored = (await shared.client.send(new GetResourcePolicyCommand({ SecretId: name }))).ResourcePolicy;
      assert.notEqual(stored, document, `${label} was stored`);
    } else {
      await put.catch((error: Error) => assert.fail(`${label}: refused with ${error.name}: ${error.message}`));
    }
  }
});
