import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accessDeniedMessage,
  buildAuthorizationRequest,
  describePrincipal,
  evaluate,
  parsePolicy,
} from '../../../src/iam/policy/index.js';

const USER = 'arn:aws:iam::123456789012:user/JohnDoe';
const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf';
const GET = 'secretsmanager:GetSecretValue';
const identity = (...Statement: object[]) => parsePolicy({ Version: '2012-10-17', Statement }, 'identity');

test('implicit deny: no identity-based policy allows the action', () => {
  const request = buildAuthorizationRequest({ principalArn: USER, action: GET, resource: SECRET });
  const result = evaluate({}, request);
  assert.equal(
    accessDeniedMessage(request, result),
    `User: ${USER} is not authorized to perform: ${GET} on resource: ${SECRET} because no identity-based policy allows the ${GET} action`,
  );
});

test('explicit deny in an identity-based policy', () => {
  const request = buildAuthorizationRequest({ principalArn: USER, action: GET, resource: SECRET });
  const result = evaluate({ identityPolicies: [identity({ Effect: 'Deny', Action: '*', Resource: '*' })] }, request);
  assert.equal(
    accessDeniedMessage(request, result),
    `User: ${USER} is not authorized to perform: ${GET} on resource: ${SECRET} with an explicit deny in an identity-based policy`,
  );
});

test('explicit deny in a resource-based policy', () => {
  const request = buildAuthorizationRequest({ principalArn: USER, action: GET, resource: SECRET });
  const resourcePolicy = parsePolicy(
    { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: GET, Resource: '*' }] },
    'resource',
  );
  assert.match(accessDeniedMessage(request, evaluate({ resourcePolicy }, request)), / with an explicit deny in a resource-based policy$/);
});

test('boundary and session policy denials name their policy type', () => {
  const allowGet = identity({ Effect: 'Allow', Action: GET, Resource: '*' });
  const allowKms = identity({ Effect: 'Allow', Action: 'kms:*', Resource: '*' });
  const request = buildAuthorizationRequest({ principalArn: 'arn:aws:sts::123456789012:assumed-role/app/s1', action: GET, resource: SECRET });
  assert.match(
    accessDeniedMessage(request, evaluate({ identityPolicies: [allowGet], permissionsBoundary: allowKms }, request)),
    / because no permissions boundary allows the secretsmanager:GetSecretValue action$/,
  );
  assert.match(
    accessDeniedMessage(request, evaluate({ identityPolicies: [allowGet], sessionPolicies: [allowKms] }, request)),
    / because no session policy allows the secretsmanager:GetSecretValue action$/,
  );
});

test('operations on no particular resource name none', () => {
  const request = buildAuthorizationRequest({ principalArn: USER, action: 'secretsmanager:ListSecrets' });
  assert.equal(
    accessDeniedMessage(request, evaluate({}, request)),
    `User: ${USER} is not authorized to perform: secretsmanager:ListSecrets because no identity-based policy allows the secretsmanager:ListSecrets action`,
  );
});

test('the request context carries AWS global keys for the caller', () => {
  const request = buildAuthorizationRequest({
    principalArn: USER,
    action: GET,
    resource: SECRET,
    now: Date.UTC(2030, 0, 15, 12, 0, 0, 999),
    sourceIp: '203.0.113.7',
    secureTransport: true,
    userId: 'AIDAEXAMPLE',
    principalTags: { Team: 'blue' },
    requestTags: { env: 'prod', owner: 'me' },
    resourceTags: { env: 'prod' },
    context: { 'SecretsManager:Name': 'db' },
  });
  assert.deepEqual(Object.fromEntries(request.keys), {
    'aws:principalarn': USER,
    'aws:principalaccount': '123456789012',
    'aws:principaltype': 'User',
    'aws:username': 'JohnDoe',
    'aws:userid': 'AIDAEXAMPLE',
    'aws:currenttime': '2030-01-15T12:00:00Z',
    'aws:epochtime': '1894708800',
    'aws:securetransport': 'true',
    'aws:sourceip': '203.0.113.7',
    'aws:principaltag/team': 'blue',
    'aws:requesttag/env': 'prod',
    'aws:requesttag/owner': 'me',
    'aws:tagkeys': ['env', 'owner'],
    'aws:resourcetag/env': 'prod',
    'secretsmanager:resourcetag/env': 'prod',
    'secretsmanager:name': 'db',
  });
});

test('principals are classified from their ARN', () => {
  assert.deepEqual(describePrincipal('arn:aws:iam::123456789012:root'), {
    arn: 'arn:aws:iam::123456789012:root',
    type: 'Account',
    account: '123456789012',
  });
  assert.deepEqual(describePrincipal('arn:aws:sts::123456789012:assumed-role/app/s1'), {
    arn: 'arn:aws:sts::123456789012:assumed-role/app/s1',
    type: 'AssumedRole',
    account: '123456789012',
    sessionIssuerArn: 'arn:aws:iam::123456789012:role/app',
  });
  assert.equal(describePrincipal('arn:aws:sts::123456789012:federated-user/bob').type, 'FederatedUser');
  assert.equal(describePrincipal('arn:aws:iam::123456789012:role/app').sessionIssuerArn, 'arn:aws:iam::123456789012:role/app');
  assert.equal(describePrincipal('secretsmanager.amazonaws.com').type, 'Service');
  assert.throws(() => describePrincipal('arn:aws:s3:::bucket'), TypeError);
});
