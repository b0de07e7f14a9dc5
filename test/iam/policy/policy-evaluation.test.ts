import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type AuthorizationRequestInput,
  type Decision,
  type PolicyType,
  buildAuthorizationRequest,
  evaluate,
  parsePolicy,
} from '../../../src/iam/policy/index.js';

// Expected decisions come from the IAM User Guide: "Policy evaluation logic", "Session policies",
// "Permissions boundaries", "Principal", "NotPrincipal", "Condition operators", "Conditions with
// multiple context keys or values", "Policy variables" and "Cross-account policy evaluation logic".

const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const USER = `arn:aws:iam::${ACCOUNT}:user/alice`;
const OTHER_USER = `arn:aws:iam::${ACCOUNT}:user/bob`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app-role`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/app-role/session-1`;
const OTHER_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/app-role/session-2`;
const PATH_ROLE = `arn:aws:iam::${ACCOUNT}:role/service/app-role`;
const FEDERATED = `arn:aws:sts::${ACCOUNT}:federated-user/bob`;
const FOREIGN_USER = `arn:aws:iam::${OTHER_ACCOUNT}:user/carol`;
const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/db-AbCdEf`;
const DEV_SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:dev/db-AbCdEf`;
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const GET = 'secretsmanager:GetSecretValue';
const T2030 = Date.UTC(2030, 0, 15, 12, 0, 0);

type Json = Record<string, unknown>;

const doc = (...Statement: Json[]): Json => ({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[], Resource: string | string[] = '*', extra: Json = {}): Json => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...extra,
});
const deny = (Action: string | string[], Resource: string | string[] = '*', extra: Json = {}): Json => ({
  Effect: 'Deny',
  Action,
  Resource,
  ...extra,
});
/** A resource-policy Allow for GetSecretValue (unless told otherwise) naming these AWS principals. */
const grant = (AWS: string | string[], extra: Json = {}): Json => ({ Effect: 'Allow', Principal: { AWS }, Action: GET, Resource: '*', ...extra });
const refuse = (AWS: string | string[], extra: Json = {}): Json => ({ Effect: 'Deny', Principal: { AWS }, Action: GET, Resource: '*', ...extra });
const cond = (Condition: Json): Json => ({ Condition });
/** An identity policy allowing GetSecretValue on everything under one condition. */
const allowWhen = (Condition: Json): Json[] => [doc(allow(GET, '*', cond(Condition)))];
const ALLOW_GET = [doc(allow(GET))];
const ALLOW_ALL = [doc(allow('*'))];

interface Case {
  name: string;
  identity?: Json[];
  resource?: Json;
  boundary?: Json;
  session?: Json[];
  required?: boolean;
  request?: Partial<AuthorizationRequestInput>;
  expect: Decision;
  /** The policy type the decision is blamed on, where the docs make it plain. */
  by?: PolicyType;
}

const asRole: Partial<AuthorizationRequestInput> = { principalArn: SESSION };
const asFederated: Partial<AuthorizationRequestInput> = { principalArn: FEDERATED, sessionIssuerArn: OTHER_USER };
const asRoot: Partial<AuthorizationRequestInput> = { principalArn: ROOT };
const withName = (name: string): Partial<AuthorizationRequestInput> => ({ context: { 'secretsmanager:Name': name } });
const withKey = (key: string, value: string | string[]): Partial<AuthorizationRequestInput> => ({ context: { [key]: value } });
const withTagKeys = (...keys: string[]): Partial<AuthorizationRequestInput> => ({
  requestTags: Object.fromEntries(keys.map((k) => [k, 'v'])),
});
const kms = (extra: Partial<AuthorizationRequestInput> = {}): Partial<AuthorizationRequestInput> => ({
  action: 'kms:Decrypt',
  resource: KEY,
  ...extra,
});

const cases: Case[] = [
  // --- Identity-based policies: implicit deny, allow, explicit deny -------------------------
  { name: 'no policy at all is an implicit deny', expect: 'ImplicitDeny', by: 'identity-based policy' },
  { name: 'an Allow for the action and resource allows', identity: ALLOW_GET, expect: 'Allow' },
  { name: 'an Allow for another resource does not', identity: [doc(allow(GET, DEV_SECRET))], expect: 'ImplicitDeny' },
  { name: 'an Allow for another action does not', identity: [doc(allow('secretsmanager:DescribeSecret'))], expect: 'ImplicitDeny' },
  { name: 'a Deny in the same policy overrides the Allow', identity: [doc(allow(GET), deny(GET))], expect: 'ExplicitDeny', by: 'identity-based policy' },
  { name: 'a Deny in another identity policy overrides the Allow', identity: [doc(allow(GET)), doc(deny(GET))], expect: 'ExplicitDeny' },
  { name: 'a Deny for another action leaves the Allow', identity: [doc(allow(GET), deny('secretsmanager:DeleteSecret'))], expect: 'Allow' },
  { name: 'a Deny for another resource leaves the Allow', identity: [doc(allow(GET), deny(GET, DEV_SECRET))], expect: 'Allow' },
  { name: 'Action * on Resource * allows everything', identity: ALLOW_ALL, expect: 'Allow' },
  { name: 'a policy of Deny statements only allows nothing', identity: [doc(deny('secretsmanager:DeleteSecret'))], expect: 'ImplicitDeny' },
  { name: 'statements of a policy are ORed', identity: [doc(allow('kms:Decrypt'), allow(GET))], expect: 'Allow' },
  { name: 'policies are ORed', identity: [doc(allow('kms:Decrypt')), doc(allow(GET))], expect: 'Allow' },
  { name: 'Statement may be a single object', identity: [{ Version: '2012-10-17', Statement: allow(GET) }], expect: 'Allow' },
  { name: 'policy language 2008-10-17 evaluates the same', identity: [{ Version: '2008-10-17', Statement: [allow(GET)] }], expect: 'Allow' },
  { name: 'an Action list allows each of its actions', identity: [doc(allow(['secretsmanager:DescribeSecret', GET]))], expect: 'Allow' },
  { name: 'a Resource list allows each of its resources', identity: [doc(allow(GET, [DEV_SECRET, SECRET]))], expect: 'Allow' },

  // --- Action matching: case-insensitive, * and ? -------------------------------------------
  { name: 'action names ignore case in the policy', identity: [doc(allow('SecretsManager:getsecretvalue'))], expect: 'Allow' },
  { name: 'action names ignore case in the request', identity: ALLOW_GET, request: { action: 'SECRETSMANAGER:GETSECRETVALUE' }, expect: 'Allow' },
  { name: 'Get* matches GetSecretValue', identity: [doc(allow('secretsmanager:Get*'))], expect: 'Allow' },
  { name: 'Get* does not match DescribeSecret', identity: [doc(allow('secretsmanager:Get*'))], request: { action: 'secretsmanager:DescribeSecret' }, expect: 'ImplicitDeny' },
  { name: 'service:* matches every action of the service', identity: [doc(allow('secretsmanager:*'))], expect: 'Allow' },
  { name: 'service:* does not match another service', identity: [doc(allow('kms:*'))], expect: 'ImplicitDeny' },
  { name: '*Secret* matches ListSecrets', identity: [doc(allow('secretsmanager:*Secret*'))], request: { action: 'secretsmanager:ListSecrets' }, expect: 'Allow' },
  { name: '*Secret* does not match GetRandomPassword', identity: [doc(allow('secretsmanager:*Secret*'))], request: { action: 'secretsmanager:GetRandomPassword' }, expect: 'ImplicitDeny' },
  { name: '? matches exactly one character', identity: [doc(allow('secretsmanager:?etSecretValu?'))], expect: 'Allow' },
  { name: '? does not match two characters', identity: [doc(allow('secretsmanager:GetSecretVal?'))], expect: 'ImplicitDeny' },
  { name: 'a lower-case pattern with * matches', identity: [doc(allow('secretsmanager:get*'))], expect: 'Allow' },
  { name: 'Deny iam:*Report leaves other actions allowed', identity: [doc(allow('iam:Get*'), deny('iam:*Report'))], request: { action: 'iam:GetUser' }, expect: 'Allow' },
  { name: 'Deny iam:*Report denies GetCredentialReport', identity: [doc(allow('iam:Get*'), deny('iam:*Report'))], request: { action: 'iam:GetCredentialReport' }, expect: 'ExplicitDeny' },

  // --- NotAction -------------------------------------------------------------------------------
  { name: 'Allow NotAction allows actions outside the list', identity: [doc({ Effect: 'Allow', NotAction: 'secretsmanager:Delete*', Resource: '*' })], expect: 'Allow' },
  { name: 'Allow NotAction does not allow listed actions', identity: [doc({ Effect: 'Allow', NotAction: 'secretsmanager:Delete*', Resource: '*' })], request: { action: 'secretsmanager:DeleteSecret' }, expect: 'ImplicitDeny' },
  { name: 'Deny NotAction denies actions outside the list', identity: [doc(allow('*'), { Effect: 'Deny', NotAction: 'secretsmanager:Get*', Resource: '*' })], request: { action: 'secretsmanager:DescribeSecret' }, expect: 'ExplicitDeny' },
  { name: 'Deny NotAction spares listed actions', identity: [doc(allow('*'), { Effect: 'Deny', NotAction: 'secretsmanager:Get*', Resource: '*' })], expect: 'Allow' },
  { name: 'NotAction with a list spares every listed action', identity: [doc(allow('*'), { Effect: 'Deny', NotAction: ['kms:*', GET], Resource: '*' })], expect: 'Allow' },
  { name: 'Allow NotAction iam:* covers another service', identity: [doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })], request: kms(), expect: 'Allow' },

  // --- Resource matching: case-sensitive ARN globbing ---------------------------------------------
  { name: 'an exact resource ARN matches', identity: [doc(allow(GET, SECRET))], expect: 'Allow' },
  { name: 'a trailing * covers a path prefix', identity: [doc(allow(GET, `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/*`))], expect: 'Allow' },
  { name: 'a path prefix does not cover another path', identity: [doc(allow(GET, `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/*`))], request: { resource: DEV_SECRET }, expect: 'ImplicitDeny' },
  { name: 'a * region segment matches any region', identity: [doc(allow(GET, `arn:aws:secretsmanager:*:${ACCOUNT}:secret:*`))], expect: 'Allow' },
  { name: '* region and account segments match', identity: [doc(allow(GET, 'arn:aws:secretsmanager:*:*:secret:*'))], expect: 'Allow' },
  { name: 'resource ARNs are case-sensitive', identity: [doc(allow(GET, `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:Prod/*`))], expect: 'ImplicitDeny' },
  { name: 'a * does not span the colon between region and account', identity: [doc(allow(GET, 'arn:aws:secretsmanager:*:secret:*'))], expect: 'ImplicitDeny' },
  { name: 'another account in the pattern does not match', identity: [doc(allow(GET, `arn:aws:secretsmanager:us-east-1:${OTHER_ACCOUNT}:secret:*`))], expect: 'ImplicitDeny' },
  { name: 'six ? match the six-character secret suffix', identity: [doc(allow(GET, `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/db-??????`))], expect: 'Allow' },
  { name: 'five ? do not match the six-character suffix', identity: [doc(allow(GET, `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/db-?????`))], expect: 'ImplicitDeny' },
  { name: 'the resource part keeps its own colons', identity: [doc(allow(GET, `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:*`))], expect: 'Allow' },
  { name: 'Resource * matches a request on no particular resource', identity: [doc(allow('secretsmanager:ListSecrets'))], request: { action: 'secretsmanager:ListSecrets', resource: '*' }, expect: 'Allow' },
  { name: 'an ARN does not match a request on no particular resource', identity: [doc(allow('secretsmanager:ListSecrets', SECRET))], request: { action: 'secretsmanager:ListSecrets', resource: '*' }, expect: 'ImplicitDeny' },
  { name: 'Carlos: deny on *log* beats the allow on his bucket', identity: [doc(allow('s3:*', 'arn:aws:s3:::carlossalazar*'), deny('s3:*', 'arn:aws:s3:::*log*'))], request: { action: 's3:PutObject', resource: 'arn:aws:s3:::carlossalazar-logs/file' }, expect: 'ExplicitDeny' },
  { name: 'Carlos: his own bucket is allowed', identity: [doc(allow('s3:*', 'arn:aws:s3:::carlossalazar/*'), deny('s3:*', 'arn:aws:s3:::*log*'))], request: { action: 's3:PutObject', resource: 'arn:aws:s3:::carlossalazar/file' }, expect: 'Allow' },

  // --- NotResource -------------------------------------------------------------------------------
  { name: 'Allow NotResource allows resources outside the list', identity: [doc({ Effect: 'Allow', Action: GET, NotResource: `arn:aws:secretsmanager:*:*:secret:prod/*` })], request: { resource: DEV_SECRET }, expect: 'Allow' },
  { name: 'Allow NotResource does not allow listed resources', identity: [doc({ Effect: 'Allow', Action: GET, NotResource: `arn:aws:secretsmanager:*:*:secret:prod/*` })], expect: 'ImplicitDeny' },
  { name: 'Deny NotResource denies resources outside the list', identity: [doc(allow(GET), { Effect: 'Deny', Action: GET, NotResource: [DEV_SECRET] })], expect: 'ExplicitDeny' },
  { name: 'Deny NotResource spares listed resources', identity: [doc(allow(GET), { Effect: 'Deny', Action: GET, NotResource: [DEV_SECRET, SECRET] })], expect: 'Allow' },

  // --- Explicit deny wins, whatever policy holds it -----------------------------------------------
  { name: 'a resource-policy Deny naming the user beats an identity Allow', identity: ALLOW_GET, resource: doc(refuse(USER)), expect: 'ExplicitDeny', by: 'resource-based policy' },
  { name: 'an identity Deny beats a resource-policy Allow naming the user', identity: [doc(deny(GET))], resource: doc(grant(USER)), expect: 'ExplicitDeny', by: 'identity-based policy' },
  { name: 'a Deny and an Allow in one resource policy: Deny wins', resource: doc(grant(USER), refuse(USER)), expect: 'ExplicitDeny' },
  { name: 'a resource-policy Deny to "*" applies to the user', identity: ALLOW_GET, resource: doc({ ...refuse(USER), Principal: '*' }), expect: 'ExplicitDeny' },
  { name: 'a resource-policy Deny naming the account applies to its users', identity: ALLOW_GET, resource: doc(refuse(ACCOUNT)), expect: 'ExplicitDeny' },
  { name: 'a resource-policy Deny naming another user does not apply', identity: ALLOW_GET, resource: doc(refuse(OTHER_USER)), expect: 'Allow' },
  { name: 'a Deny in the permissions boundary beats an identity Allow', identity: ALLOW_GET, boundary: doc(allow('*'), deny(GET)), expect: 'ExplicitDeny', by: 'permissions boundary' },
  { name: 'a Deny in the session policy beats an identity Allow', identity: ALLOW_GET, session: [doc(allow('*'), deny(GET))], request: asRole, expect: 'ExplicitDeny', by: 'session policy' },
  { name: 'a Deny whose condition fails does not apply', identity: [doc(allow(GET), deny(GET, '*', cond({ Bool: { 'aws:SecureTransport': 'false' } })))], request: { secureTransport: true }, expect: 'Allow' },
  { name: 'a Deny in a boundary beats a resource policy naming the user', resource: doc(grant(USER)), boundary: doc(deny(GET)), expect: 'ExplicitDeny' },

  // --- Resource-based policies within the account ------------------------------------------------
  { name: 'a resource policy naming the user grants alone', resource: doc(grant(USER)), expect: 'Allow', by: 'resource-based policy' },
  { name: 'a resource policy naming "*" grants alone', resource: doc({ ...grant(USER), Principal: '*' }), expect: 'Allow' },
  { name: 'a resource policy naming {"AWS": "*"} grants alone', resource: doc(grant('*')), expect: 'Allow' },
  { name: 'a resource policy naming the account root ARN only delegates', resource: doc(grant(ROOT)), expect: 'ImplicitDeny', by: 'identity-based policy' },
  { name: 'a resource policy naming the account id only delegates', resource: doc(grant(ACCOUNT)), expect: 'ImplicitDeny' },
  { name: 'account delegation plus an identity Allow allows', identity: ALLOW_GET, resource: doc(grant(ACCOUNT)), expect: 'Allow' },
  { name: 'a resource policy naming another user grants nothing', resource: doc(grant(OTHER_USER)), expect: 'ImplicitDeny' },
  { name: 'a resource policy naming another account grants nothing', resource: doc(grant(OTHER_ACCOUNT)), expect: 'ImplicitDeny' },
  { name: 'a resource policy for another action grants nothing', resource: doc(grant(USER, { Action: 'secretsmanager:DescribeSecret' })), expect: 'ImplicitDeny' },
  { name: 'a principal list grants each of its principals', resource: doc(grant([OTHER_USER, USER])), expect: 'Allow' },
  { name: 'a resource grant whose condition fails grants nothing', resource: doc(grant(USER, cond({ Bool: { 'aws:SecureTransport': 'true' } }))), request: { secureTransport: false }, expect: 'ImplicitDeny' },
  { name: 'either the identity or the resource policy allowing is enough', identity: ALLOW_GET, resource: doc(grant(OTHER_USER)), expect: 'Allow' },
  { name: 'a resource policy for another resource grants nothing', resource: doc(grant(USER, { Resource: DEV_SECRET })), expect: 'ImplicitDeny' },
  { name: 'a service principal grant covers the service', resource: doc({ Effect: 'Allow', Principal: { Service: 'secretsmanager.amazonaws.com' }, Action: GET, Resource: '*' }), request: { principalArn: 'secretsmanager.amazonaws.com' }, expect: 'Allow' },
  { name: 'a service principal grant does not cover users', resource: doc({ Effect: 'Allow', Principal: { Service: 'secretsmanager.amazonaws.com' }, Action: GET, Resource: '*' }), expect: 'ImplicitDeny' },

  // --- Role sessions and session policies ------------------------------------------------------------
  { name: 'a role session is allowed by the role policy', identity: ALLOW_GET, request: asRole, expect: 'Allow' },
  { name: 'a role session without policies is denied', request: asRole, expect: 'ImplicitDeny', by: 'identity-based policy' },
  { name: 'a resource policy naming the role grants its sessions', resource: doc(grant(ROLE)), request: asRole, expect: 'Allow' },
  { name: 'a resource policy naming the session grants it', resource: doc(grant(SESSION)), request: asRole, expect: 'Allow' },
  { name: 'a resource policy naming another session grants nothing', resource: doc(grant(OTHER_SESSION)), request: asRole, expect: 'ImplicitDeny' },
  { name: 'a session policy caps a grant naming the role', resource: doc(grant(ROLE)), session: [doc(allow('kms:*'))], request: asRole, expect: 'ImplicitDeny', by: 'session policy' },
  { name: 'a session policy does not cap a grant naming the session', resource: doc(grant(SESSION)), session: [doc(allow('kms:*'))], request: asRole, expect: 'Allow' },
  { name: 'role policy and session policy both allowing allows', identity: ALLOW_GET, session: [doc(allow('secretsmanager:*'))], request: asRole, expect: 'Allow' },
  { name: 'a session policy leaving the action out denies', identity: ALLOW_GET, session: [doc(allow('kms:*'))], request: asRole, expect: 'ImplicitDeny', by: 'session policy' },
  { name: 'a session policy does not grant on its own', session: [doc(allow('*'))], request: asRole, expect: 'ImplicitDeny', by: 'identity-based policy' },
  { name: 'any of several session policies allowing is enough', identity: ALLOW_GET, session: [doc(allow('kms:*')), doc(allow(GET))], request: asRole, expect: 'Allow' },
  { name: 'a boundary caps a grant naming the role', resource: doc(grant(ROLE)), boundary: doc(allow('kms:*')), request: asRole, expect: 'ImplicitDeny', by: 'permissions boundary' },
  { name: 'a boundary does not cap a grant naming the session', resource: doc(grant(SESSION)), boundary: doc(allow('kms:*')), request: asRole, expect: 'Allow' },
  { name: 'a role with a path is named by its full ARN', resource: doc(grant(PATH_ROLE)), request: { principalArn: SESSION, sessionIssuerArn: PATH_ROLE }, expect: 'Allow' },
  { name: 'the ARN without the path names another role', resource: doc(grant(ROLE)), request: { principalArn: SESSION, sessionIssuerArn: PATH_ROLE }, expect: 'ImplicitDeny' },
  { name: 'account delegation for a session needs the session policy too', identity: ALLOW_GET, resource: doc(grant(ACCOUNT)), session: [doc(allow('kms:*'))], request: asRole, expect: 'ImplicitDeny', by: 'session policy' },
  { name: 'account delegation for a session with every policy allowing', identity: ALLOW_GET, resource: doc(grant(ACCOUNT)), session: [doc(allow(GET))], request: asRole, expect: 'Allow' },
  { name: 'a grant naming the role within boundary and session policy allows', resource: doc(grant(ROLE)), boundary: doc(allow(GET)), session: [doc(allow(GET))], request: asRole, expect: 'Allow' },

  // --- Federated user sessions (GetFederationToken) ---------------------------------------------------
  { name: 'a federated session is allowed by user policy and session policy', identity: ALLOW_GET, session: [doc(allow(GET))], request: asFederated, expect: 'Allow' },
  { name: 'a federated session without session policy gets nothing from the user policy', identity: ALLOW_GET, request: asFederated, expect: 'ImplicitDeny', by: 'session policy' },
  { name: 'a resource policy naming the federated session grants it', resource: doc(grant(FEDERATED)), request: asFederated, expect: 'Allow' },
  { name: 'a grant naming the federating user is capped by the session policy', resource: doc(grant(OTHER_USER)), session: [doc(allow('kms:*'))], request: asFederated, expect: 'ImplicitDeny', by: 'session policy' },
  { name: 'a grant naming the federating user within the session policy allows', resource: doc(grant(OTHER_USER)), session: [doc(allow(GET))], request: asFederated, expect: 'Allow' },

  // --- Permissions boundaries ---------------------------------------------------------------------
  { name: 'identity policy and boundary both allowing allows', identity: ALLOW_GET, boundary: doc(allow('secretsmanager:*')), expect: 'Allow' },
  { name: 'a boundary leaving the action out denies', identity: ALLOW_GET, boundary: doc(allow('kms:*')), expect: 'ImplicitDeny', by: 'permissions boundary' },
  { name: 'a boundary grants nothing on its own', boundary: doc(allow('*')), expect: 'ImplicitDeny', by: 'identity-based policy' },
  { name: 'a boundary does not cap a resource policy naming the user', resource: doc(grant(USER)), boundary: doc(allow('kms:*')), expect: 'Allow' },
  { name: 'a boundary caps account delegation', identity: ALLOW_GET, resource: doc(grant(ACCOUNT)), boundary: doc(allow('kms:*')), expect: 'ImplicitDeny', by: 'permissions boundary' },
  { name: 'a boundary condition that fails denies', identity: ALLOW_GET, boundary: doc(allow('*', '*', cond({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }))), request: { sourceIp: '198.51.100.7' }, expect: 'ImplicitDeny', by: 'permissions boundary' },
  { name: 'a boundary condition that holds allows', identity: ALLOW_GET, boundary: doc(allow('*', '*', cond({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }))), request: { sourceIp: '203.0.113.7' }, expect: 'Allow' },
  { name: 'boundary, session policy and role policy all allowing allows', identity: ALLOW_GET, boundary: doc(allow(GET)), session: [doc(allow(GET))], request: asRole, expect: 'Allow' },
  { name: 'a boundary limited to other resources denies', identity: ALLOW_GET, boundary: doc(allow('*', DEV_SECRET)), expect: 'ImplicitDeny', by: 'permissions boundary' },

  // --- The account root user ---------------------------------------------------------------------------
  { name: 'the root user is allowed without policies', request: asRoot, expect: 'Allow' },
  { name: 'the root user is not subject to identity-based policies', identity: [doc(deny('*'))], request: asRoot, expect: 'Allow' },
  { name: 'a resource-policy Deny applies to the root user', resource: doc({ ...refuse(USER), Principal: '*' }), request: asRoot, expect: 'ExplicitDeny', by: 'resource-based policy' },
  { name: 'a resource-policy Deny naming the account applies to the root user', resource: doc(refuse(ROOT)), request: asRoot, expect: 'ExplicitDeny' },
  { name: 'a resource policy granting someone else leaves the root user allowed', resource: doc(grant(OTHER_USER)), request: asRoot, expect: 'Allow' },

  // --- Key policies and trust policies: the resource policy must allow ----------------------------------
  { name: 'key policy naming the account plus an IAM policy allows', identity: [doc(allow('kms:Decrypt'))], resource: doc(grant(ROOT, { Action: 'kms:*' })), required: true, request: kms(), expect: 'Allow' },
  { name: 'key policy naming the account without IAM policy denies', resource: doc(grant(ROOT, { Action: 'kms:*' })), required: true, request: kms(), expect: 'ImplicitDeny', by: 'identity-based policy' },
  { name: 'key policy naming the user allows without IAM policy', resource: doc(grant(USER, { Action: 'kms:Decrypt' })), required: true, request: kms(), expect: 'Allow' },
  { name: 'an IAM policy alone does not open a key', identity: [doc(allow('kms:*'))], resource: doc(grant(OTHER_USER, { Action: 'kms:*' })), required: true, request: kms(), expect: 'ImplicitDeny', by: 'resource-based policy' },
  { name: 'a key policy Deny beats everything', identity: [doc(allow('kms:*'))], resource: doc(grant(ROOT, { Action: 'kms:*' }), refuse(USER, { Action: 'kms:Decrypt' })), required: true, request: kms(), expect: 'ExplicitDeny' },
  { name: 'the root user needs the key policy to name its account', resource: doc(grant(OTHER_USER, { Action: 'kms:*' })), required: true, request: kms(asRoot), expect: 'ImplicitDeny', by: 'resource-based policy' },
  { name: 'the root user is allowed by a key policy naming its account', resource: doc(grant(ROOT, { Action: 'kms:*' })), required: true, request: kms(asRoot), expect: 'Allow' },
  { name: 'a key policy naming the role is capped by the session policy', resource: doc(grant(ROLE, { Action: 'kms:*' })), session: [doc(allow(GET))], required: true, request: kms(asRole), expect: 'ImplicitDeny', by: 'session policy' },
  { name: 'a trust policy naming the user lets it assume the role', resource: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: USER }, Action: 'sts:AssumeRole' }] }, required: true, request: { action: 'sts:AssumeRole', resource: ROLE }, expect: 'Allow' },
  { name: 'a trust policy naming the account needs an IAM policy too', resource: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }] }, required: true, request: { action: 'sts:AssumeRole', resource: ROLE }, expect: 'ImplicitDeny' },
  { name: 'a trust policy naming the account with an IAM policy allows', identity: [doc(allow('sts:AssumeRole', ROLE))], resource: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }] }, required: true, request: { action: 'sts:AssumeRole', resource: ROLE }, expect: 'Allow' },

  // --- Cross-account: both sides must allow --------------------------------------------------------------
  { name: 'cross-account: resource grant and identity Allow allow', identity: ALLOW_GET, resource: doc(grant(FOREIGN_USER)), request: { principalArn: FOREIGN_USER, resourceAccount: ACCOUNT }, expect: 'Allow' },
  { name: 'cross-account: a resource grant alone is not enough', resource: doc(grant(FOREIGN_USER)), request: { principalArn: FOREIGN_USER, resourceAccount: ACCOUNT }, expect: 'ImplicitDeny', by: 'identity-based policy' },
  { name: 'cross-account: an identity Allow alone is not enough', identity: ALLOW_GET, request: { principalArn: FOREIGN_USER, resourceAccount: ACCOUNT }, expect: 'ImplicitDeny', by: 'resource-based policy' },
  { name: 'cross-account: a grant to the other account plus its IAM Allow', identity: ALLOW_GET, resource: doc(grant(OTHER_ACCOUNT)), request: { principalArn: FOREIGN_USER, resourceAccount: ACCOUNT }, expect: 'Allow' },

  // --- NotPrincipal ------------------------------------------------------------------------------------
  { name: 'Deny NotPrincipal spares the user when its account is listed too', identity: ALLOW_GET, resource: doc({ Effect: 'Deny', NotPrincipal: { AWS: [USER, ROOT] }, Action: GET, Resource: '*' }), expect: 'Allow' },
  { name: 'Deny NotPrincipal naming only the user still denies through its account', identity: ALLOW_GET, resource: doc({ Effect: 'Deny', NotPrincipal: { AWS: [USER] }, Action: GET, Resource: '*' }), expect: 'ExplicitDeny' },
  { name: 'Deny NotPrincipal denies a user it does not list', identity: ALLOW_GET, resource: doc({ Effect: 'Deny', NotPrincipal: { AWS: [OTHER_USER, ROOT] }, Action: GET, Resource: '*' }), expect: 'ExplicitDeny' },
  { name: 'Deny NotPrincipal spares a session listed with its role and account', identity: ALLOW_GET, resource: doc({ Effect: 'Deny', NotPrincipal: { AWS: [SESSION, ROLE, ROOT] }, Action: GET, Resource: '*' }), request: asRole, expect: 'Allow' },
  { name: 'Deny NotPrincipal without the session ARN denies the session', identity: ALLOW_GET, resource: doc({ Effect: 'Deny', NotPrincipal: { AWS: [ROLE, ROOT] }, Action: GET, Resource: '*' }), request: asRole, expect: 'ExplicitDeny' },
  { name: 'Deny NotPrincipal without the role ARN denies the session through its role', identity: ALLOW_GET, resource: doc({ Effect: 'Deny', NotPrincipal: { AWS: [SESSION, ROOT] }, Action: GET, Resource: '*' }), request: asRole, expect: 'ExplicitDeny' },
  { name: 'Allow NotPrincipal grants everyone not listed', resource: doc({ Effect: 'Allow', NotPrincipal: { AWS: [OTHER_USER] }, Action: GET, Resource: '*' }), expect: 'Allow' },

  // --- String operators ----------------------------------------------------------------------------------
  { name: 'StringEquals matches an equal value', identity: allowWhen({ StringEquals: { 'secretsmanager:Name': 'prod/db' } }), request: withName('prod/db'), expect: 'Allow' },
  { name: 'StringEquals fails on another value', identity: allowWhen({ StringEquals: { 'secretsmanager:Name': 'prod/db' } }), request: withName('dev/db'), expect: 'ImplicitDeny' },
  { name: 'StringEquals is case-sensitive', identity: allowWhen({ StringEquals: { 'secretsmanager:Name': 'prod/db' } }), request: withName('Prod/DB'), expect: 'ImplicitDeny' },
  { name: 'StringEquals values are ORed', identity: allowWhen({ StringEquals: { 'secretsmanager:Name': ['dev/db', 'prod/db'] } }), request: withName('prod/db'), expect: 'Allow' },
  { name: 'StringEquals fails on a missing key', identity: allowWhen({ StringEquals: { 'secretsmanager:Name': 'prod/db' } }), expect: 'ImplicitDeny' },
  { name: 'StringNotEquals holds for another value', identity: allowWhen({ StringNotEquals: { 'secretsmanager:Name': 'prod/db' } }), request: withName('dev/db'), expect: 'Allow' },
  { name: 'StringNotEquals fails on the value', identity: allowWhen({ StringNotEquals: { 'secretsmanager:Name': 'prod/db' } }), request: withName('prod/db'), expect: 'ImplicitDeny' },
  { name: 'StringNotEquals values are NORed', identity: allowWhen({ StringNotEquals: { 'secretsmanager:Name': ['dev/db', 'prod/db'] } }), request: withName('prod/db'), expect: 'ImplicitDeny' },
  { name: 'StringNotEquals holds on a missing key', identity: allowWhen({ StringNotEquals: { 'secretsmanager:Name': 'prod/db' } }), expect: 'Allow' },
  { name: 'StringEqualsIgnoreCase ignores case', identity: allowWhen({ StringEqualsIgnoreCase: { 'secretsmanager:Name': 'PROD/DB' } }), request: withName('prod/db'), expect: 'Allow' },
  { name: 'StringEqualsIgnoreCase fails on another value', identity: allowWhen({ StringEqualsIgnoreCase: { 'secretsmanager:Name': 'PROD/DB' } }), request: withName('dev/db'), expect: 'ImplicitDeny' },
  { name: 'StringNotEqualsIgnoreCase fails on a value differing only in case', identity: allowWhen({ StringNotEqualsIgnoreCase: { 'secretsmanager:Name': 'PROD/DB' } }), request: withName('prod/db'), expect: 'ImplicitDeny' },
  { name: 'StringNotEqualsIgnoreCase holds for another value', identity: allowWhen({ StringNotEqualsIgnoreCase: { 'secretsmanager:Name': 'PROD/DB' } }), request: withName('dev/db'), expect: 'Allow' },
  { name: 'StringLike matches with *', identity: allowWhen({ StringLike: { 'secretsmanager:Name': 'prod/*' } }), request: withName('prod/db'), expect: 'Allow' },
  { name: 'StringLike matches with ?', identity: allowWhen({ StringLike: { 'secretsmanager:Name': 'prod/?b' } }), request: withName('prod/db'), expect: 'Allow' },
  { name: 'StringLike is case-sensitive', identity: allowWhen({ StringLike: { 'secretsmanager:Name': 'PROD/*' } }), request: withName('prod/db'), expect: 'ImplicitDeny' },
  { name: 'StringLike needs a wildcard for partial matches', identity: allowWhen({ StringLike: { 'secretsmanager:Name': 'prod' } }), request: withName('prod/db'), expect: 'ImplicitDeny' },
  { name: 'StringNotLike holds for a non-matching value', identity: allowWhen({ StringNotLike: { 'secretsmanager:Name': 'prod/*' } }), request: withName('dev/db'), expect: 'Allow' },
  { name: 'StringNotLike fails for a matching value', identity: allowWhen({ StringNotLike: { 'secretsmanager:Name': 'prod/*' } }), request: withName('prod/db'), expect: 'ImplicitDeny' },
  { name: 'StringNotLike holds on a missing key', identity: allowWhen({ StringNotLike: { 'secretsmanager:Name': 'prod/*' } }), expect: 'Allow' },
  { name: 'condition key names ignore case', identity: allowWhen({ StringEquals: { 'AWS:PRINCIPALTAG/Team': 'blue' } }), request: { principalTags: { team: 'blue' } }, expect: 'Allow' },
  { name: 'a Deny with a negated operator applies when the key is missing', identity: [doc(allow(GET), deny(GET, '*', cond({ StringNotEquals: { 'aws:PrincipalTag/team': 'blue' } })))], expect: 'ExplicitDeny' },

  // --- Numeric operators ----------------------------------------------------------------------------------
  { name: 'NumericEquals matches an equal number', identity: allowWhen({ NumericEquals: { 'secretsmanager:RecoveryWindowInDays': '10' } }), request: withKey('secretsmanager:RecoveryWindowInDays', '10'), expect: 'Allow' },
  { name: 'NumericEquals fails on another number', identity: allowWhen({ NumericEquals: { 'secretsmanager:RecoveryWindowInDays': '10' } }), request: withKey('secretsmanager:RecoveryWindowInDays', '7'), expect: 'ImplicitDeny' },
  { name: 'NumericNotEquals holds for another number', identity: allowWhen({ NumericNotEquals: { 'secretsmanager:RecoveryWindowInDays': '10' } }), request: withKey('secretsmanager:RecoveryWindowInDays', '11'), expect: 'Allow' },
  { name: 'NumericNotEquals fails on the number', identity: allowWhen({ NumericNotEquals: { 'secretsmanager:RecoveryWindowInDays': '10' } }), request: withKey('secretsmanager:RecoveryWindowInDays', '10'), expect: 'ImplicitDeny' },
  { name: 'NumericLessThan holds below', identity: allowWhen({ NumericLessThan: { 's3:max-keys': '10' } }), request: withKey('s3:max-keys', '9'), expect: 'Allow' },
  { name: 'NumericLessThan fails at the limit', identity: allowWhen({ NumericLessThan: { 's3:max-keys': '10' } }), request: withKey('s3:max-keys', '10'), expect: 'ImplicitDeny' },
  { name: 'NumericLessThanEquals holds at the limit', identity: allowWhen({ NumericLessThanEquals: { 's3:max-keys': '10' } }), request: withKey('s3:max-keys', '10'), expect: 'Allow' },
  { name: 'NumericLessThanEquals fails above', identity: allowWhen({ NumericLessThanEquals: { 's3:max-keys': '10' } }), request: withKey('s3:max-keys', '11'), expect: 'ImplicitDeny' },
  { name: 'NumericGreaterThan holds above', identity: allowWhen({ NumericGreaterThan: { 's3:max-keys': '10' } }), request: withKey('s3:max-keys', '11'), expect: 'Allow' },
  { name: 'NumericGreaterThan fails at the limit', identity: allowWhen({ NumericGreaterThan: { 's3:max-keys': '10' } }), request: withKey('s3:max-keys', '10'), expect: 'ImplicitDeny' },
  { name: 'NumericGreaterThanEquals holds at the limit', identity: allowWhen({ NumericGreaterThanEquals: { 's3:max-keys': '10' } }), request: withKey('s3:max-keys', '10'), expect: 'Allow' },
  { name: 'Numeric operators compare decimals', identity: allowWhen({ NumericLessThan: { 's3:max-keys': '1.5' } }), request: withKey('s3:max-keys', '1.25'), expect: 'Allow' },
  { name: 'a Numeric condition fails on a missing key', identity: allowWhen({ NumericLessThanEquals: { 's3:max-keys': '10' } }), expect: 'ImplicitDeny' },
  { name: 'NumericNotEquals holds on a missing key', identity: allowWhen({ NumericNotEquals: { 's3:max-keys': '10' } }), expect: 'Allow' },

  // --- Date operators ----------------------------------------------------------------------------------
  { name: 'DateGreaterThan holds after the date', identity: allowWhen({ DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:01Z' } }), request: { now: T2030 }, expect: 'Allow' },
  { name: 'DateLessThan fails after the date', identity: allowWhen({ DateLessThan: { 'aws:CurrentTime': '2020-01-01T00:00:01Z' } }), request: { now: T2030 }, expect: 'ImplicitDeny' },
  { name: 'DateLessThan takes epoch seconds in the policy', identity: allowWhen({ DateLessThan: { 'aws:CurrentTime': '2208988800' } }), request: { now: T2030 }, expect: 'Allow' },
  { name: 'DateEquals matches the same instant', identity: allowWhen({ DateEquals: { 'aws:CurrentTime': '2030-01-15T12:00:00Z' } }), request: { now: T2030 }, expect: 'Allow' },
  { name: 'DateEquals compares instants across zones', identity: allowWhen({ DateEquals: { 'aws:CurrentTime': '2030-01-15T13:00:00+01:00' } }), request: { now: T2030 }, expect: 'Allow' },
  { name: 'DateNotEquals fails on the same instant', identity: allowWhen({ DateNotEquals: { 'aws:CurrentTime': '2030-01-15T12:00:00Z' } }), request: { now: T2030 }, expect: 'ImplicitDeny' },
  { name: 'DateNotEquals holds on another instant', identity: allowWhen({ DateNotEquals: { 'aws:CurrentTime': '2030-01-15T12:00:01Z' } }), request: { now: T2030 }, expect: 'Allow' },
  { name: 'DateLessThanEquals holds at the instant', identity: allowWhen({ DateLessThanEquals: { 'aws:CurrentTime': '2030-01-15T12:00:00Z' } }), request: { now: T2030 }, expect: 'Allow' },
  { name: 'DateGreaterThanEquals holds at the instant', identity: allowWhen({ DateGreaterThanEquals: { 'aws:CurrentTime': '2030-01-15T12:00:00Z' } }), request: { now: T2030 }, expect: 'Allow' },
  { name: 'DateGreaterThan on aws:EpochTime with an ISO value', identity: allowWhen({ DateGreaterThan: { 'aws:EpochTime': '2029-12-31T23:59:59Z' } }), request: { now: T2030 }, expect: 'Allow' },
  { name: 'DateLessThan with a date-only value', identity: allowWhen({ DateLessThan: { 'aws:CurrentTime': '2031-01-01' } }), request: { now: T2030 }, expect: 'Allow' },
  { name: 'a Date condition fails on a missing key (aws:TokenIssueTime)', identity: allowWhen({ DateGreaterThan: { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' } }), request: { now: T2030 }, expect: 'ImplicitDeny' },

  // --- Bool and BinaryEquals --------------------------------------------------------------------------
  { name: 'Deny on SecureTransport false denies plain HTTP', identity: [doc(allow(GET), deny('*', '*', cond({ Bool: { 'aws:SecureTransport': 'false' } })))], request: { secureTransport: false }, expect: 'ExplicitDeny' },
  { name: 'Deny on SecureTransport false leaves TLS allowed', identity: [doc(allow(GET), deny('*', '*', cond({ Bool: { 'aws:SecureTransport': 'false' } })))], request: { secureTransport: true }, expect: 'Allow' },
  { name: 'Bool true holds over TLS', identity: allowWhen({ Bool: { 'aws:SecureTransport': 'true' } }), request: { secureTransport: true }, expect: 'Allow' },
  { name: 'Bool true fails over plain HTTP', identity: allowWhen({ Bool: { 'aws:SecureTransport': 'true' } }), request: { secureTransport: false }, expect: 'ImplicitDeny' },
  { name: 'Bool takes a JSON boolean', identity: allowWhen({ Bool: { 'aws:SecureTransport': true } }), request: { secureTransport: true }, expect: 'Allow' },
  { name: 'Bool fails on a missing key', identity: allowWhen({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }), expect: 'ImplicitDeny' },
  { name: 'BoolIfExists holds on a missing key', identity: allowWhen({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } }), expect: 'Allow' },
  { name: 'BinaryEquals matches the same bytes', identity: allowWhen({ BinaryEquals: { 'kms:RecipientAttestation:ImageSha384': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } }), request: withKey('kms:RecipientAttestation:ImageSha384', 'QmluYXJ5VmFsdWVJbkJhc2U2NA=='), expect: 'Allow' },
  { name: 'BinaryEquals fails on other bytes', identity: allowWhen({ BinaryEquals: { 'kms:RecipientAttestation:ImageSha384': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } }), request: withKey('kms:RecipientAttestation:ImageSha384', 'T3RoZXI='), expect: 'ImplicitDeny' },
  { name: 'BinaryEquals fails on a missing key', identity: allowWhen({ BinaryEquals: { 'kms:RecipientAttestation:ImageSha384': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } }), expect: 'ImplicitDeny' },

  // --- IP address operators ------------------------------------------------------------------------------
  { name: 'IpAddress holds inside the IPv4 range', identity: allowWhen({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }), request: { sourceIp: '203.0.113.7' }, expect: 'Allow' },
  { name: 'IpAddress fails outside the IPv4 range', identity: allowWhen({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }), request: { sourceIp: '203.0.114.1' }, expect: 'ImplicitDeny' },
  { name: 'an address without prefix is a /32: same address', identity: allowWhen({ IpAddress: { 'aws:SourceIp': '203.0.113.7' } }), request: { sourceIp: '203.0.113.7' }, expect: 'Allow' },
  { name: 'an address without prefix is a /32: neighbour', identity: allowWhen({ IpAddress: { 'aws:SourceIp': '203.0.113.7' } }), request: { sourceIp: '203.0.113.8' }, expect: 'ImplicitDeny' },
  { name: 'NotIpAddress holds outside the range', identity: allowWhen({ NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }), request: { sourceIp: '198.51.100.1' }, expect: 'Allow' },
  { name: 'NotIpAddress fails inside the range', identity: allowWhen({ NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }), request: { sourceIp: '203.0.113.9' }, expect: 'ImplicitDeny' },
  { name: 'IpAddress holds inside the IPv6 range', identity: allowWhen({ IpAddress: { 'aws:SourceIp': '2001:DB8:1234:5678::/64' } }), request: { sourceIp: '2001:db8:1234:5678::1' }, expect: 'Allow' },
  { name: 'IpAddress fails outside the IPv6 range', identity: allowWhen({ IpAddress: { 'aws:SourceIp': '2001:DB8:1234:5678::/64' } }), request: { sourceIp: '2001:db8:1234:5679::1' }, expect: 'ImplicitDeny' },
  { name: 'mixed IPv4 and IPv6 ranges accept an IPv6 client', identity: allowWhen({ IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:DB8:1234:5678::/64'] } }), request: { sourceIp: '2001:db8:1234:5678:abcd::9' }, expect: 'Allow' },
  { name: 'mixed IPv4 and IPv6 ranges accept an IPv4 client', identity: allowWhen({ IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:DB8:1234:5678::/64'] } }), request: { sourceIp: '203.0.113.200' }, expect: 'Allow' },
  { name: 'an IPv4 range does not take an IPv6 client', identity: allowWhen({ IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }), request: { sourceIp: '2001:db8::1' }, expect: 'ImplicitDeny' },
  { name: 'IpAddress fails on a missing key', identity: allowWhen({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }), expect: 'ImplicitDeny' },
  { name: 'NotIpAddress holds on a missing key', identity: allowWhen({ NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }), expect: 'Allow' },
  { name: 'Deny NotIpAddress denies callers outside the network', identity: [doc(allow(GET), deny('*', '*', cond({ NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '203.0.113.0/24'] } })))], request: { sourceIp: '198.51.100.4' }, expect: 'ExplicitDeny' },
  { name: 'Deny NotIpAddress leaves callers inside the network', identity: [doc(allow(GET), deny('*', '*', cond({ NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '203.0.113.0/24'] } })))], request: { sourceIp: '192.0.2.44' }, expect: 'Allow' },

  // --- ARN operators -----------------------------------------------------------------------------------
  { name: 'ArnEquals matches the principal ARN', identity: allowWhen({ ArnEquals: { 'aws:PrincipalArn': USER } }), expect: 'Allow' },
  { name: 'ArnLike matches with a wildcard resource part', identity: allowWhen({ ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/*` } }), expect: 'Allow' },
  { name: 'ArnEquals takes wildcards like ArnLike', identity: allowWhen({ ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::*:user/alice` } }), expect: 'Allow' },
  { name: 'ArnLike: a * does not span ARN parts', identity: allowWhen({ ArnLike: { 'aws:SourceArn': 'arn:aws:someservice:*:111122223333:finance/*' } }), request: withKey('aws:SourceArn', 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt'), expect: 'ImplicitDeny' },
  { name: 'StringLike: the same pattern matches across parts', identity: allowWhen({ StringLike: { 'aws:SourceArn': 'arn:aws:someservice:*:111122223333:finance/*' } }), request: withKey('aws:SourceArn', 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt'), expect: 'Allow' },
  { name: 'ArnNotLike holds for a non-matching ARN', identity: allowWhen({ ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/*` } }), expect: 'Allow' },
  { name: 'ArnNotLike fails for a matching ARN', identity: allowWhen({ ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/*` } }), expect: 'ImplicitDeny' },
  { name: 'ArnNotEquals holds on a missing key', identity: allowWhen({ ArnNotEquals: { 'aws:SourceArn': `arn:aws:sns:us-east-1:${ACCOUNT}:topic` } }), expect: 'Allow' },
  { name: 'ArnLike fails on a missing key', identity: allowWhen({ ArnLike: { 'aws:SourceArn': `arn:aws:sns:us-east-1:${ACCOUNT}:*` } }), expect: 'ImplicitDeny' },
  { name: 'aws:PrincipalArn of a session is its role ARN', resource: doc(grant('*', cond({ ArnEquals: { 'aws:PrincipalArn': ROLE } }))), request: asRole, expect: 'Allow' },
  { name: 'aws:PrincipalArn with "*" principal is not capped by the session policy', resource: doc(grant('*', cond({ ArnEquals: { 'aws:PrincipalArn': ROLE } }))), session: [doc(allow('kms:*'))], request: asRole, expect: 'Allow' },

  // --- Null ------------------------------------------------------------------------------------------
  { name: 'Null true holds when the key is missing', identity: allowWhen({ Null: { 'aws:TokenIssueTime': 'true' } }), expect: 'Allow' },
  { name: 'Null true fails when the key is present', identity: allowWhen({ Null: { 'aws:TokenIssueTime': 'true' } }), request: withKey('aws:TokenIssueTime', '2030-01-15T11:00:00Z'), expect: 'ImplicitDeny' },
  { name: 'Null false holds when the key is present', identity: allowWhen({ Null: { 'aws:ResourceTag/env': 'false' } }), request: { resourceTags: { env: 'prod' } }, expect: 'Allow' },
  { name: 'Null false fails when the key is missing', identity: allowWhen({ Null: { 'aws:ResourceTag/env': 'false' } }), expect: 'ImplicitDeny' },

  // --- ...IfExists ----------------------------------------------------------------------------------------
  { name: 'StringEqualsIfExists holds on a missing key', identity: allowWhen({ StringEqualsIfExists: { 'secretsmanager:Name': 'prod/db' } }), expect: 'Allow' },
  { name: 'StringEqualsIfExists holds on a matching value', identity: allowWhen({ StringEqualsIfExists: { 'secretsmanager:Name': 'prod/db' } }), request: withName('prod/db'), expect: 'Allow' },
  { name: 'StringEqualsIfExists fails on another value', identity: allowWhen({ StringEqualsIfExists: { 'secretsmanager:Name': 'prod/db' } }), request: withName('dev/db'), expect: 'ImplicitDeny' },
  { name: 'StringLikeIfExists fails on a non-matching value', identity: allowWhen({ StringLikeIfExists: { 'ec2:InstanceType': ['t1.*', 't2.*', 'm3.*'] } }), request: withKey('ec2:InstanceType', 'c5.large'), expect: 'ImplicitDeny' },
  { name: 'NumericLessThanIfExists holds on a missing key', identity: allowWhen({ NumericLessThanIfExists: { 's3:max-keys': '10' } }), expect: 'Allow' },
  { name: 'DateLessThanIfExists fails on a later present value', identity: allowWhen({ DateLessThanIfExists: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } }), request: { now: T2030 }, expect: 'ImplicitDeny' },
  { name: 'IpAddressIfExists holds on a missing key', identity: allowWhen({ IpAddressIfExists: { 'aws:SourceIp': '203.0.113.0/24' } }), expect: 'Allow' },
  { name: 'Deny StringNotEqualsIfExists still denies when the key is missing', identity: [doc(allow(GET), deny(GET, '*', cond({ StringNotEqualsIfExists: { 'aws:PrincipalTag/team': 'blue' } })))], expect: 'ExplicitDeny' },
  { name: 'Deny StringNotEqualsIfExists spares the matching value', identity: [doc(allow(GET), deny(GET, '*', cond({ StringNotEqualsIfExists: { 'aws:PrincipalTag/team': 'blue' } })))], request: { principalTags: { team: 'blue' } }, expect: 'Allow' },
  { name: 'ArnLikeIfExists holds on a missing key', identity: allowWhen({ ArnLikeIfExists: { 'aws:SourceArn': 'arn:aws:sns:*:*:*' } }), expect: 'Allow' },

  // --- ForAllValues / ForAnyValue over multivalued keys ------------------------------------------------------
  { name: 'ForAllValues holds when every request value is listed', identity: allowWhen({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } }), request: withTagKeys('env'), expect: 'Allow' },
  { name: 'ForAllValues fails when one request value is not listed', identity: allowWhen({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } }), request: withTagKeys('env', 'cost'), expect: 'ImplicitDeny' },
  { name: 'ForAllValues holds when the key is missing', identity: allowWhen({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } }), expect: 'Allow' },
  { name: 'ForAllValues holds on an empty set', identity: allowWhen({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } }), request: withTagKeys(), expect: 'Allow' },
  { name: 'ForAnyValue holds when one request value is listed', identity: allowWhen({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env', 'team'] } }), request: withTagKeys('cost', 'team'), expect: 'Allow' },
  { name: 'ForAnyValue fails when no request value is listed', identity: allowWhen({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env', 'team'] } }), request: withTagKeys('cost'), expect: 'ImplicitDeny' },
  { name: 'ForAnyValue fails when the key is missing', identity: allowWhen({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env', 'team'] } }), expect: 'ImplicitDeny' },
  { name: 'ForAnyValue fails on an empty set', identity: allowWhen({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env', 'team'] } }), request: withTagKeys(), expect: 'ImplicitDeny' },
  { name: 'ForAllValues:StringLike with one pattern for all values', identity: allowWhen({ 'ForAllValues:StringLike': { 'aws:TagKeys': 'Created*' } }), request: withTagKeys('CreatedBy', 'CreatedAt'), expect: 'Allow' },
  { name: 'ForAllValues:StringLike fails on a value outside the pattern', identity: allowWhen({ 'ForAllValues:StringLike': { 'aws:TagKeys': 'Created*' } }), request: withTagKeys('CreatedBy', 'Owner'), expect: 'ImplicitDeny' },
  { name: 'DynamoDB example: ForAllValues allows listed attributes', identity: allowWhen({ 'ForAllValues:StringLike': { 'dynamodb:requestedAttributes': ['PostDateTime', 'Message', 'Tags'] } }), request: withKey('dynamodb:requestedAttributes', ['PostDateTime', 'Message']), expect: 'Allow' },
  { name: 'DynamoDB example: ForAllValues rejects UserName', identity: allowWhen({ 'ForAllValues:StringLike': { 'dynamodb:requestedAttributes': ['PostDateTime', 'Message', 'Tags'] } }), request: withKey('dynamodb:requestedAttributes', ['PostDateTime', 'UserName']), expect: 'ImplicitDeny' },
  { name: 'DynamoDB example: ForAnyValue Deny hits PostDateTime', identity: [doc(allow('*'), deny('dynamodb:PutItem', '*', cond({ 'ForAnyValue:StringLike': { 'dynamodb:requestedAttributes': ['ID', 'PostDateTime'] } })))], request: { action: 'dynamodb:PutItem', context: { 'dynamodb:requestedAttributes': ['UserName', 'Message', 'PostDateTime'] } }, expect: 'ExplicitDeny' },
  { name: 'DynamoDB example: ForAnyValue Deny misses UserName alone', identity: [doc(allow('*'), deny('dynamodb:PutItem', '*', cond({ 'ForAnyValue:StringLike': { 'dynamodb:requestedAttributes': ['ID', 'PostDateTime'] } })))], request: { action: 'dynamodb:PutItem', context: { 'dynamodb:requestedAttributes': ['UserName'] } }, expect: 'Allow' },
  { name: 'ForAllValues:StringNotEquals holds when no value is listed', identity: allowWhen({ 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['secret'] } }), request: withTagKeys('env', 'team'), expect: 'Allow' },
  { name: 'ForAllValues:StringNotEquals fails when one value is listed', identity: allowWhen({ 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['secret'] } }), request: withTagKeys('env', 'secret'), expect: 'ImplicitDeny' },
  { name: 'ForAnyValue:StringNotEquals holds when one value is not listed', identity: allowWhen({ 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['secret'] } }), request: withTagKeys('secret', 'env'), expect: 'Allow' },
  { name: 'ForAnyValue:StringNotEquals fails when every value is listed', identity: allowWhen({ 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['secret'] } }), request: withTagKeys('secret'), expect: 'ImplicitDeny' },
  { name: 'ForAllValues:StringEqualsIgnoreCase ignores case', identity: allowWhen({ 'ForAllValues:StringEqualsIgnoreCase': { 'aws:TagKeys': ['ENV'] } }), request: withTagKeys('env'), expect: 'Allow' },

  // --- Several keys, values and operators -------------------------------------------------------------------
  { name: 'keys under one operator are ANDed: both hold', identity: allowWhen({ StringEquals: { 'aws:PrincipalTag/team': 'blue', 'aws:ResourceTag/env': 'prod' } }), request: { principalTags: { team: 'blue' }, resourceTags: { env: 'prod' } }, expect: 'Allow' },
  { name: 'keys under one operator are ANDed: one fails', identity: allowWhen({ StringEquals: { 'aws:PrincipalTag/team': 'blue', 'aws:ResourceTag/env': 'prod' } }), request: { principalTags: { team: 'blue' }, resourceTags: { env: 'dev' } }, expect: 'ImplicitDeny' },
  { name: 'operators are ANDed: one fails', identity: allowWhen({ StringEquals: { 'aws:PrincipalTag/team': 'blue' }, Bool: { 'aws:SecureTransport': 'true' } }), request: { principalTags: { team: 'blue' }, secureTransport: false }, expect: 'ImplicitDeny' },
  { name: 'operators are ANDed: all hold', identity: allowWhen({ StringEquals: { 'aws:PrincipalTag/team': 'blue' }, Bool: { 'aws:SecureTransport': 'true' }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }), request: { principalTags: { team: 'blue' }, secureTransport: true, sourceIp: '10.1.2.3' }, expect: 'Allow' },

  // --- Tags and service keys -------------------------------------------------------------------------
  { name: 'aws:ResourceTag matches the resource tag', identity: allowWhen({ StringEquals: { 'aws:ResourceTag/env': 'prod' } }), request: { resourceTags: { env: 'prod' } }, expect: 'Allow' },
  { name: 'secretsmanager:ResourceTag matches the resource tag', identity: allowWhen({ StringEquals: { 'secretsmanager:ResourceTag/env': 'prod' } }), request: { resourceTags: { env: 'prod' } }, expect: 'Allow' },
  { name: 'a resource tag with another value fails', identity: allowWhen({ StringEquals: { 'secretsmanager:ResourceTag/env': 'prod' } }), request: { resourceTags: { env: 'dev' } }, expect: 'ImplicitDeny' },
  { name: 'aws:RequestTag matches a tag sent with the request', identity: allowWhen({ StringEquals: { 'aws:RequestTag/team': 'blue' } }), request: { requestTags: { team: 'blue' } }, expect: 'Allow' },
  { name: 'ABAC: principal tag equal to resource tag', identity: allowWhen({ StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } }), request: { principalTags: { team: 'blue' }, resourceTags: { team: 'blue' } }, expect: 'Allow' },
  { name: 'ABAC: principal tag different from resource tag', identity: allowWhen({ StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } }), request: { principalTags: { team: 'blue' }, resourceTags: { team: 'red' } }, expect: 'ImplicitDeny' },
  { name: 'kms:EncryptionContext key matches', identity: [doc(allow('kms:Decrypt', '*', cond({ StringEquals: { 'kms:EncryptionContext:SecretARN': SECRET } })))], request: kms({ context: { 'kms:EncryptionContext:SecretARN': SECRET } }), expect: 'Allow' },
  { name: 'kms:ViaService restricts to calls through Secrets Manager', identity: [doc(allow('kms:Decrypt', '*', cond({ StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } })))], request: kms(), expect: 'ImplicitDeny' },
  { name: 'secretsmanager:VersionStage restricts the stage read', identity: allowWhen({ StringEquals: { 'secretsmanager:VersionStage': 'AWSCURRENT' } }), request: withKey('secretsmanager:VersionStage', 'AWSPREVIOUS'), expect: 'ImplicitDeny' },

  // --- Policy variables ------------------------------------------------------------------------------------
  { name: '${aws:username} in Resource covers the user\'s own secrets', identity: [doc(allow(GET, `arn:aws:secretsmanager:*:${ACCOUNT}:secret:\${aws:username}/*`))], request: { resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:alice/db-AbCdEf` }, expect: 'Allow' },
  { name: '${aws:username} in Resource excludes another user\'s secrets', identity: [doc(allow(GET, `arn:aws:secretsmanager:*:${ACCOUNT}:secret:\${aws:username}/*`))], request: { resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:bob/db-AbCdEf` }, expect: 'ImplicitDeny' },
  { name: 'without Version 2012-10-17 a variable is literal text', identity: [{ Statement: [allow(GET, `arn:aws:secretsmanager:*:${ACCOUNT}:secret:\${aws:username}/*`)] }], request: { resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:alice/db-AbCdEf` }, expect: 'ImplicitDeny' },
  { name: 'a tag variable in Resource', identity: [doc(allow(GET, `arn:aws:secretsmanager:*:${ACCOUNT}:secret:\${aws:PrincipalTag/team}/*`))], request: { principalTags: { team: 'blue' }, resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:blue/db-AbCdEf` }, expect: 'Allow' },
  { name: 'an unresolvable variable makes the Allow statement invalid', identity: [doc(allow(GET, `arn:aws:secretsmanager:*:${ACCOUNT}:secret:\${aws:username}/*`))], request: { ...asRole, resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:alice/db-AbCdEf` }, expect: 'ImplicitDeny' },
  { name: 'an unresolvable variable makes the Deny statement invalid too', identity: [doc(allow(GET), deny(GET, `arn:aws:secretsmanager:*:*:secret:\${aws:username}/*`))], request: asRole, expect: 'Allow' },
  { name: 'a default value stands in for a missing variable', identity: [doc(allow(GET, `arn:aws:secretsmanager:*:${ACCOUNT}:secret:\${aws:PrincipalTag/team, 'shared'}/*`))], request: { resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:shared/db-AbCdEf` }, expect: 'Allow' },
  { name: 'a variable in a StringLike condition value', identity: allowWhen({ StringLike: { 'secretsmanager:Name': '${aws:username}/*' } }), request: withName('alice/db'), expect: 'Allow' },
  { name: 'a variable in a condition value excludes other users', identity: allowWhen({ StringLike: { 'secretsmanager:Name': '${aws:username}/*' } }), request: withName('bob/db'), expect: 'ImplicitDeny' },
  { name: '${*} is a literal asterisk: matches "*"', identity: allowWhen({ StringLike: { 'secretsmanager:Name': 'app${*}' } }), request: withName('app*'), expect: 'Allow' },
  { name: '${*} is a literal asterisk: no wildcard', identity: allowWhen({ StringLike: { 'secretsmanager:Name': 'app${*}' } }), request: withName('app-db'), expect: 'ImplicitDeny' },
  { name: '${?} is a literal question mark', identity: allowWhen({ StringLike: { 'secretsmanager:Name': 'app${?}' } }), request: withName('appX'), expect: 'ImplicitDeny' },
  { name: '${$} is a literal dollar sign', identity: allowWhen({ StringEquals: { 'secretsmanager:Name': 'cost${$}' } }), request: withName('cost$'), expect: 'Allow' },
  { name: 'a variable in an ArnEquals value', identity: allowWhen({ ArnEquals: { 'aws:SourceArn': `arn:aws:iam::${ACCOUNT}:user/\${aws:username}` } }), request: withKey('aws:SourceArn', USER), expect: 'Allow' },
];

const compile = (document: Json, kind: 'identity' | 'resource' | 'trust') => parsePolicy(JSON.stringify(document), kind);

test('the table holds at least 150 cases', () => {
  assert.ok(cases.length >= 150, `${cases.length} cases`);
});

cases.forEach((c, i) => {
  test(`${String(i + 1).padStart(3, '0')} ${c.name}`, () => {
    const trust = c.resource !== undefined && !JSON.stringify(c.resource).includes('"Resource"');
    const policies = {
      identityPolicies: (c.identity ?? []).map((d) => compile(d, 'identity')),
      ...(c.resource && { resourcePolicy: compile(c.resource, trust ? 'trust' : 'resource') }),
      ...(c.boundary && { permissionsBoundary: compile(c.boundary, 'identity') }),
      ...(c.session && { sessionPolicies: c.session.map((d) => compile(d, 'identity')) }),
      resourcePolicyRequired: c.required ?? false,
    };
    const request = buildAuthorizationRequest({ principalArn: USER, action: GET, resource: SECRET, ...c.request });
    const result = evaluate(policies, request);
    assert.equal(result.decision, c.expect, result.reason);
    if (c.by) assert.equal(result.policyType, c.by);
  });
});
