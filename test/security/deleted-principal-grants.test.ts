// A resource policy naming user/olduser grants to the user that existed when it was written,
// by unique id, as AWS stores it. Once olduser is deleted, its session reads nothing; a new
// user created under the same name is someone else and reads nothing either. The same holds
// for a role and its sessions. GetResourcePolicy still shows the document as written.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateSecretCommand, GetResourcePolicyCommand, GetSecretValueCommand, PutResourcePolicyCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientConfig, startServer, type TestServer } from '../support/coffer-server.js';
import { iamQuery, xmlElement, type IamQuery } from '../support/iam-query.js';
import type { RawCredentials } from '../support/raw-client.js';
import { rejectsWith, uniqueName } from '../support/sdk-errors.js';

const ACCOUNT = '000000000000';
let server: TestServer;
let iam: IamQuery;
let admin: SecretsManagerClient;
const clients: SecretsManagerClient[] = [];

before(async () => {
  server = await startServer();
  iam = iamQuery(server);
  admin = new SecretsManagerClient(clientConfig(server));
});
after(async () => {
  for (const client of [admin, ...clients]) client.destroy();
  assert.equal(await server.stop(), 0);
});

function secretsAs(credentials: RawCredentials): SecretsManagerClient {
  const client = new SecretsManagerClient({ ...clientConfig(server), credentials });
  clients.push(client);
  return client;
}

function sessionCredentials(xml: string): RawCredentials {
  return { accessKeyId: xmlElement(xml, 'AccessKeyId')!, secretAccessKey: xmlElement(xml, 'SecretAccessKey')!, sessionToken: xmlElement(xml, 'SessionToken')! };
}

async function sts(params: Record<string, string>, credentials: RawCredentials): Promise<RawCredentials> {
  const res = await iam.send('sts', params, credentials);
  assert.equal(res.status, 200, res.text);
  return sessionCredentials(res.text);
}

/** A secret readable by the principal `arn` through its resource policy alone. */
async function secretFor(arn: string): Promise<{ name: string; document: string }> {
  const name = uniqueName('grants/db');
  await admin.send(new CreateSecretCommand({ Name: name, SecretString: 'for the original principal only' }));
  const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: arn }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }] });
  await admin.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: document }));
  return { name, document };
}

const reads = async (client: SecretsManagerClient, name: string) =>
  (await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString;

test("a deleted user's session stops working, and a new user of the same name inherits nothing", async () => {
  const old = await iam.userWith('olduser', []);
  const secret = await secretFor(old.arn);
  const session = await sts({ Action: 'GetSessionToken' }, old.credentials);
  assert.equal(await reads(secretsAs(old.credentials), secret.name), 'for the original principal only');
  assert.equal(await reads(secretsAs(session), secret.name), 'for the original principal only');

  await iam.admin({ Action: 'DeleteAccessKey', UserName: old.userName, AccessKeyId: old.credentials.accessKeyId });
  await iam.admin({ Action: 'DeleteUser', UserName: old.userName });
  await rejectsWith(secretsAs(session).send(new GetSecretValueCommand({ SecretId: secret.name })), 'AccessDeniedException');

  await iam.admin({ Action: 'CreateUser', UserName: old.userName });
  const key = await iam.admin({ Action: 'CreateAccessKey', UserName: old.userName });
  const namesake = secretsAs({ accessKeyId: xmlElement(key, 'AccessKeyId')!, secretAccessKey: xmlElement(key, 'SecretAccessKey')! });
  await rejectsWith(namesake.send(new GetSecretValueCommand({ SecretId: secret.name })), 'AccessDeniedException');
  await rejectsWith(secretsAs(session).send(new GetSecretValueCommand({ SecretId: secret.name })), 'AccessDeniedException');
  assert.equal((await admin.send(new GetResourcePolicyCommand({ SecretId: secret.name }))).ResourcePolicy, secret.document);
});

test("a deleted role's sessions stop working, and a role re-created under its name inherits nothing", async () => {
  const caller = await iam.userWith('assumer', [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }]);
  const roleName = `oldrole-${uniqueName('r').slice(2)}`;
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] });
  const roleArn = xmlElement(await iam.admin({ Action: 'CreateRole', RoleName: roleName, AssumeRolePolicyDocument: trust }), 'Arn')!;
  const secret = await secretFor(roleArn);
  const assume = { Action: 'AssumeRole', RoleArn: roleArn, RoleSessionName: 'reader' };
  const first = await sts(assume, caller.credentials);
  assert.equal(await reads(secretsAs(first), secret.name), 'for the original principal only');

  await iam.admin({ Action: 'DeleteRole', RoleName: roleName });
  await rejectsWith(secretsAs(first).send(new GetSecretValueCommand({ SecretId: secret.name })), 'AccessDeniedException');
  await iam.admin({ Action: 'CreateRole', RoleName: roleName, AssumeRolePolicyDocument: trust });
  const second = await sts(assume, caller.credentials);
  await rejectsWith(secretsAs(second).send(new GetSecretValueCommand({ SecretId: secret.name })), 'AccessDeniedException');
  await rejectsWith(secretsAs(first).send(new GetSecretValueCommand({ SecretId: secret.name })), 'AccessDeniedException');
});

test('a policy naming a user that does not exist yet grants nothing to the user created later under that name', async () => {
  const userName = `future-${uniqueName('u').slice(2)}`;
  const secret = await secretFor(`arn:aws:iam::${ACCOUNT}:user/${userName}`);
  await iam.admin({ Action: 'CreateUser', UserName: userName });
  const key = await iam.admin({ Action: 'CreateAccessKey', UserName: userName });
  const later = secretsAs({ accessKeyId: xmlElement(key, 'AccessKeyId')!, secretAccessKey: xmlElement(key, 'SecretAccessKey')! });
  await rejectsWith(later.send(new GetSecretValueCommand({ SecretId: secret.name })), 'AccessDeniedException');
});
