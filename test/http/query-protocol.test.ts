// The AWS query protocol codec: form bodies decoded by the model's input shapes, results and
// errors written as AWS's XML.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceError, frontEndError } from '../../src/errors/service-error.js';
import { decodeQueryInput, escapeXml, isFormRequest, parseForm, xmlError, xmlResponse } from '../../src/http/query-protocol.js';
import { validateInput } from '../../src/api/validation.js';
import * as iam from '../../src/api/iam/model.generated.js';
import * as sts from '../../src/api/sts/model.generated.js';

const form = (body: string) => parseForm(Buffer.from(body));
const IAM = { apiVersion: iam.apiVersion, xmlNamespace: iam.xmlNamespace, errorStatus: iam.errorStatus };

test('form content types are recognised with or without a charset', () => {
  assert.ok(isFormRequest('application/x-www-form-urlencoded; charset=utf-8'));
  assert.ok(isFormRequest('Application/X-WWW-Form-Urlencoded'));
  assert.ok(!isFormRequest('application/x-amz-json-1.1'));
  assert.ok(!isFormRequest(undefined));
});

test('structures, lists of structures and scalars decode into the JSON input shape', () => {
  const input = decodeQueryInput(
    iam.shapes,
    'CreateUserRequest',
    form('Action=CreateUser&Version=2010-05-08&UserName=alice&Path=%2Fteam%2F&Tags.member.1.Key=a&Tags.member.1.Value=x+y&Tags.member.2.Key=b&Tags.member.2.Value=%26'),
  );
  assert.deepEqual(input, { Path: '/team/', UserName: 'alice', Tags: [{ Key: 'a', Value: 'x y' }, { Key: 'b', Value: '&' }] });
});

test('integers and booleans come out typed; list elements in index order, gaps closed', () => {
  const list = decodeQueryInput(iam.shapes, 'ListPoliciesRequest', form('MaxItems=5&OnlyAttached=true&Scope=Local'));
  assert.deepEqual(list, { Scope: 'Local', OnlyAttached: true, MaxItems: 5 });
  const untag = decodeQueryInput(iam.shapes, 'UntagUserRequest', form('UserName=u&TagKeys.member.10=c&TagKeys.member.2=b&TagKeys.member.1=a'));
  assert.deepEqual(untag.TagKeys, ['a', 'b', 'c']);
  const assume = decodeQueryInput(sts.shapes, 'AssumeRoleRequest', form('RoleArn=r&RoleSessionName=s&DurationSeconds=900&PolicyArns.member.1.arn=arn%3Ap'));
  assert.deepEqual(assume, { RoleArn: 'r', RoleSessionName: 's', PolicyArns: [{ arn: 'arn:p' }], DurationSeconds: 900 });
});

test('an empty list is sent as the bare name', () => {
  assert.deepEqual(decodeQueryInput(iam.shapes, 'UntagUserRequest', form('UserName=u&TagKeys=')).TagKeys, []);
});

test('a value of the wrong type is a validation error naming the member', () => {
  assert.throws(
    () => decodeQueryInput(iam.shapes, 'ListUsersRequest', form('MaxItems=ten')),
    (e: unknown) => e instanceof ServiceError && e.code === 'ValidationException' && /Value 'ten' at 'maxItems'/.test(e.message),
  );
});

test('decoded input goes through the shared model validation', () => {
  const input = decodeQueryInput(iam.shapes, 'CreateUserRequest', form('UserName=bad%20name'));
  assert.throws(
    () => validateInput(iam.shapes, 'CreateUserRequest', input),
    (e: unknown) => e instanceof ServiceError && e.message === "1 validation error detected: Value 'bad name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
  );
});

test('a result is wrapped in <Op>Response / <Op>Result with the request id; lists as <member>, times as ISO 8601', () => {
  const xml = xmlResponse(IAM, iam.shapes, 'ListUsers', 'ListUsersResponse', {
    Users: [{ Path: '/', UserName: 'a<b', UserId: 'AIDA1', Arn: 'arn:aws:iam::1:user/a', CreateDate: Date.UTC(2024, 0, 2, 3, 4, 5) / 1000 }],
    IsTruncated: false,
  }, 'req-1');
  assert.equal(
    xml,
    '<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult><Users><member><Path>/</Path>' +
      '<UserName>a&lt;b</UserName><UserId>AIDA1</UserId><Arn>arn:aws:iam::1:user/a</Arn><CreateDate>2024-01-02T03:04:05Z</CreateDate>' +
      '</member></Users><IsTruncated>false</IsTruncated></ListUsersResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></ListUsersResponse>',
  );
});

test('an operation without output has no Result element', () => {
  assert.equal(
    xmlResponse(IAM, iam.shapes, 'DeleteUser', undefined, undefined, 'r'),
    '<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteUserResponse>',
  );
});

test('errors: the model\'s status for its codes; front-end codes renamed as query services name them', () => {
  const notFound = xmlError(IAM, new ServiceError('NoSuchEntity', 'The user with name x cannot be found.'), 'r');
  assert.equal(notFound.status, 404);
  assert.equal(
    notFound.body,
    '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code>' +
      '<Message>The user with name x cannot be found.</Message></Error><RequestId>r</RequestId></ErrorResponse>',
  );
  assert.equal(xmlError(IAM, new ServiceError('DeleteConflict', 'm'), 'r').status, 409);
  const token = xmlError(IAM, frontEndError('UnrecognizedClientException', 'The security token included in the request is invalid.'), 'r');
  assert.equal(token.status, 403);
  assert.match(token.body, /<Code>InvalidClientTokenId<\/Code>/);
  assert.match(xmlError(IAM, frontEndError('ValidationException', 'v'), 'r').body, /<Code>ValidationError<\/Code>/);
  assert.match(xmlError(IAM, frontEndError('InvalidSignatureException', 's'), 'r').body, /<Code>SignatureDoesNotMatch<\/Code>/);
  const internal = xmlError(IAM, new ServiceError('InternalServiceError', 'x', { status: 500 }), 'r');
  assert.equal(internal.status, 500);
  assert.match(internal.body, /<Type>Receiver<\/Type><Code>InternalFailure<\/Code>/);
});

test('XML escaping covers markup characters and carriage returns (quotes need none in element text)', () => {
  assert.equal(escapeXml(`<a href="x">'&'</a>\r`), `&lt;a href="x"&gt;'&amp;'&lt;/a&gt;&#13;`);
});
