import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type PolicyKind, PolicyDocumentError, parsePolicy } from '../../../src/iam/policy/index.js';

const SYNTAX = 'Syntax errors in policy.';
const USER = 'arn:aws:iam::111122223333:user/alice';

type Json = Record<string, unknown>;
const statement = (extra: Json = {}): Json => ({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*', ...extra });
const policy = (...Statement: Json[]): Json => ({ Version: '2012-10-17', Statement });
const granting = (Principal: unknown, extra: Json = {}): Json => policy(statement({ Principal, ...extra }));

function rejects(document: unknown, kind: PolicyKind, message: string, detail?: RegExp): void {
  assert.throws(
    () => parsePolicy(typeof document === 'string' ? document : JSON.stringify(document), kind),
    (err: unknown) => {
      assert.ok(err instanceof PolicyDocumentError);
      assert.equal(err.code, 'MalformedPolicyDocument');
      assert.equal(err.message, message);
      assert.ok(err.detail.length > 0);
      if (detail) assert.match(err.detail, detail);
      return true;
    },
  );
}

// --- Document structure ------------------------------------------------------------------------

test('text that is not JSON is a syntax error', () => rejects('{"Version": "2012-10-17",', 'identity', SYNTAX, /JSON/));
test('a JSON array is not a policy', () => rejects([statement()], 'identity', SYNTAX));
test('an unknown top-level field is a syntax error', () => rejects({ ...policy(statement()), Statements: [] }, 'identity', SYNTAX, /Statements/));
test('a Version other than the two policy languages is a syntax error', () =>
  rejects({ Version: '2020-01-01', Statement: [statement()] }, 'identity', SYNTAX, /Version/));
test('a numeric Version is a syntax error', () => rejects({ Version: 2012, Statement: [statement()] }, 'identity', SYNTAX));
test('a policy without Statement is a syntax error', () => rejects({ Version: '2012-10-17' }, 'identity', SYNTAX, /Statement/));
test('an empty Statement list is a syntax error', () => rejects(policy(), 'identity', SYNTAX));
test('a statement that is not an object is a syntax error', () => rejects({ Version: '2012-10-17', Statement: ['Allow'] }, 'identity', SYNTAX));
test('an Id that is not a string is a syntax error', () => rejects({ ...policy(statement()), Id: 7 }, 'identity', SYNTAX));
test('an unknown statement field is a syntax error', () => rejects(policy({ ...statement(), Actions: 'x:y' }), 'identity', SYNTAX, /Actions/));

// --- Effect, Action, Resource ------------------------------------------------------------------------

test('a statement without Effect is refused', () => {
  const { Effect: _, ...noEffect } = statement();
  rejects(policy(noEffect), 'identity', 'Missing required field Effect');
});
test('Effect is case-sensitive', () => rejects(policy(statement({ Effect: 'allow' })), 'identity', SYNTAX, /Effect/));
test('a statement without actions is refused', () => {
  const { Action: _, ...noAction } = statement();
  rejects(policy(noAction), 'identity', 'Policy statement must contain actions.');
});
test('an empty Action list is refused', () => rejects(policy(statement({ Action: [] })), 'identity', 'Policy statement must contain actions.'));
test('Action and NotAction together are a syntax error', () =>
  rejects(policy(statement({ NotAction: 'kms:*' })), 'identity', SYNTAX, /NotAction/));
test('an action without service prefix is refused', () =>
  rejects(policy(statement({ Action: 'GetSecretValue' })), 'identity', 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'));
test('an action that is not a string is a syntax error', () => rejects(policy(statement({ Action: [42] })), 'identity', SYNTAX));
test('a statement without resources is refused', () => {
  const { Resource: _, ...noResource } = statement();
  rejects(policy(noResource), 'identity', 'Policy statement must contain resources.');
});
test('a resource that is not an ARN is refused', () =>
  rejects(policy(statement({ Resource: 'mysecret' })), 'identity', 'Resource mysecret must be in ARN format or "*".'));
test('Resource and NotResource together are a syntax error', () =>
  rejects(policy(statement({ NotResource: 'arn:aws:s3:::b' })), 'identity', SYNTAX, /NotResource/));
test('a duplicate Sid is refused', () =>
  rejects(policy(statement({ Sid: 'One' }), statement({ Sid: 'One' })), 'identity', 'Statement IDs (SID) in a single policy must be unique.'));

// --- Principal ----------------------------------------------------------------------------------------

test('an identity policy may not name a principal', () =>
  rejects(granting({ AWS: USER }), 'identity', 'Policy document should not specify a principal.'));
test('an identity policy may not use NotPrincipal', () =>
  rejects(policy(statement({ NotPrincipal: { AWS: USER } })), 'identity', 'Policy document should not specify a principal.'));
test('a resource policy statement must name a principal', () => rejects(policy(statement()), 'resource', 'Missing required field Principal'));
test('Principal and NotPrincipal together are a syntax error', () =>
  rejects(granting({ AWS: USER }, { NotPrincipal: { AWS: USER } }), 'resource', SYNTAX));
test('a bare name is not an AWS principal', () =>
  rejects(granting({ AWS: 'alice' }), 'resource', 'Invalid principal in policy: "AWS":"alice"'));
test('a partial wildcard in a principal ARN is refused', () =>
  rejects(granting({ AWS: 'arn:aws:iam::111122223333:user/*' }), 'resource', 'Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:user/*"'));
test('a string principal other than "*" is refused', () => rejects(granting(USER), 'resource', `Invalid principal in policy: "AWS":"${USER}"`));
test('an unknown principal type is refused', () => rejects(granting({ Group: 'admins' }), 'resource', 'Invalid principal in policy: "Group":"admins"'));
test('a role trust policy names no resource', () => rejects(granting({ AWS: USER }), 'trust', 'Has prohibited field Resource'));
test('a role trust policy must name a principal', () =>
  rejects(policy({ Effect: 'Allow', Action: 'sts:AssumeRole' }), 'trust', 'Missing required field Principal'));

// --- Condition ------------------------------------------------------------------------------------------

const withCondition = (Condition: unknown) => policy(statement({ Condition }));

test('a Condition that is not an object is a syntax error', () => rejects(withCondition(['StringEquals']), 'identity', SYNTAX));
test('an unknown condition operator is a syntax error', () =>
  rejects(withCondition({ StringEqualz: { 'aws:username': 'a' } }), 'identity', SYNTAX, /StringEqualz/));
test('Null takes no set qualifier', () => rejects(withCondition({ 'ForAllValues:Null': { 'aws:TagKeys': 'true' } }), 'identity', SYNTAX));
test('Null has no IfExists form', () => rejects(withCondition({ NullIfExists: { 'aws:TagKeys': 'true' } }), 'identity', SYNTAX));
test('Null takes only true or false', () => rejects(withCondition({ Null: { 'aws:TagKeys': 'maybe' } }), 'identity', SYNTAX));
test('a condition key without service prefix is refused', () =>
  rejects(withCondition({ StringEquals: { username: 'a' } }), 'identity', 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'));
test('a Numeric value must be a number', () => rejects(withCondition({ NumericLessThan: { 's3:max-keys': 'ten' } }), 'identity', SYNTAX, /ten/));
test('a Date value must be a date', () => rejects(withCondition({ DateGreaterThan: { 'aws:CurrentTime': 'yesterday' } }), 'identity', SYNTAX));
test('a Date value must be a real date', () => rejects(withCondition({ DateGreaterThan: { 'aws:CurrentTime': '2020-13-01' } }), 'identity', SYNTAX));
test('an IpAddress value must be an address or CIDR block', () =>
  rejects(withCondition({ IpAddress: { 'aws:SourceIp': '300.1.1.1/8' } }), 'identity', SYNTAX));
test('a Bool value must be true or false', () => rejects(withCondition({ Bool: { 'aws:SecureTransport': 'yes' } }), 'identity', SYNTAX));
test('a BinaryEquals value must be base-64', () => rejects(withCondition({ BinaryEquals: { 'kms:Blob': '***' } }), 'identity', SYNTAX));
test('a condition value may not be an object', () =>
  rejects(withCondition({ StringEquals: { 'aws:username': { name: 'a' } } }), 'identity', SYNTAX));
test('Numeric operators take no policy variables', () =>
  rejects(withCondition({ NumericEquals: { 's3:max-keys': '${aws:username}' } }), 'identity', SYNTAX));
test('an operator block that is not an object is a syntax error', () => rejects(withCondition({ StringEquals: 'x' }), 'identity', SYNTAX));

// --- Valid documents -----------------------------------------------------------------------------------

test('a minimal identity policy compiles, statements split by effect', () => {
  const compiled = parsePolicy(
    JSON.stringify({ Version: '2012-10-17', Id: 'p1', Statement: [statement(), statement({ Effect: 'Deny', Sid: 'D' })] }),
    'identity',
  );
  assert.equal(compiled.kind, 'identity');
  assert.equal(compiled.version, '2012-10-17');
  assert.equal(compiled.id, 'p1');
  assert.equal(compiled.allow.length, 1);
  assert.equal(compiled.deny.length, 1);
  assert.equal(compiled.deny[0]!.sid, 'D');
});

test('a policy without Version is policy language 2008-10-17', () => {
  assert.equal(parsePolicy({ Statement: statement() }, 'identity').version, '2008-10-17');
});

test('a parsed object is accepted as well as JSON text', () => {
  assert.equal(parsePolicy(policy(statement()), 'identity').allow.length, 1);
});

test('empty Sids are not duplicates', () => {
  assert.equal(parsePolicy(policy(statement({ Sid: '' }), statement({ Sid: '' })), 'identity').allow.length, 2);
});

test('every documented principal form is accepted', () => {
  const principals: unknown[] = [
    '*',
    { AWS: '*' },
    { AWS: '111122223333' },
    { AWS: 'arn:aws:iam::111122223333:root' },
    { AWS: [USER, 'arn:aws:iam::111122223333:role/path/app'] },
    { AWS: 'arn:aws:sts::111122223333:assumed-role/app/session' },
    { AWS: 'arn:aws:sts::111122223333:federated-user/bob' },
    { AWS: 'AIDAJQABLZS4A3QDU576Q' },
    { Service: ['secretsmanager.amazonaws.com', 'kms.amazonaws.com'] },
    { Federated: 'accounts.google.com' },
    { CanonicalUser: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be' },
  ];
  for (const principal of principals) assert.doesNotThrow(() => parsePolicy(granting(principal), 'resource'), JSON.stringify(principal));
});

test('operator names ignore case and condition values may be numbers and booleans', () => {
  const compiled = parsePolicy(
    withCondition({
      stringequals: { 'aws:username': 'a' },
      NumericLessThan: { 's3:max-keys': 10 },
      Bool: { 'aws:SecureTransport': true },
      'ForAnyValue:StringLikeIfExists': { 'aws:TagKeys': ['a*', 'b?'] },
      Null: { 'aws:TokenIssueTime': 'TRUE' },
    }),
    'identity',
  );
  assert.equal(compiled.allow[0]!.conditions.length, 5);
});

test('every operator, its IfExists form and the set qualifiers compile', () => {
  const values: Record<string, string> = {
    String: 'a',
    Numeric: '1',
    Date: '2020-01-01T00:00:00Z',
    Bool: 'true',
    Binary: 'QQ==',
    Ip: '10.0.0.0/8',
    Arn: 'arn:aws:iam::*:user/*',
  };
  const operators: Array<[string, string]> = [
    ...['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike'].map(
      (op): [string, string] => [op, values.String!],
    ),
    ...['Equals', 'NotEquals', 'LessThan', 'LessThanEquals', 'GreaterThan', 'GreaterThanEquals'].flatMap((suffix): Array<[string, string]> => [
      [`Numeric${suffix}`, values.Numeric!],
      [`Date${suffix}`, values.Date!],
    ]),
    ['Bool', values.Bool!],
    ['BinaryEquals', values.Binary!],
    ['IpAddress', values.Ip!],
    ['NotIpAddress', values.Ip!],
    ...['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'].map((op): [string, string] => [op, values.Arn!]),
  ];
  for (const [operator, value] of operators) {
    for (const name of [operator, `${operator}IfExists`, `ForAllValues:${operator}`, `ForAnyValue:${operator}IfExists`]) {
      assert.doesNotThrow(() => parsePolicy(withCondition({ [name]: { 'test:key': value } }), 'identity'), name);
    }
  }
});

test('a trust policy without Resource compiles', () => {
  const compiled = parsePolicy(policy({ Effect: 'Allow', Principal: { AWS: USER }, Action: 'sts:AssumeRole' }), 'trust');
  assert.equal(compiled.allow[0]!.resources, undefined);
});
