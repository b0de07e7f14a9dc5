/**
 * The IAM user the authorized-read scenario runs as: no access of its own but a
 * 10-statement inline policy, read access to the bench secrets granted again by
 * each secret's resource policy. Created through the IAM API like any user.
 */
import { PutResourcePolicyCommand } from '@aws-sdk/client-secrets-manager';
import { RequestSigner, type SigningCredentials } from '../src/http/sigv4-signer.js';
import { forEachConcurrent, sdkClient, sendRaw } from './bench-util.js';
import type { CofferProcess } from './server-process.js';

const USER = 'bench-reader';

export function identityPolicy(region: string, account: string): string {
  const secrets = `arn:aws:secretsmanager:${region}:${account}:secret:`;
  const statements = [
    { Sid: 'Describe', Effect: 'Allow', Action: ['secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'], Resource: `${secrets}app/*` },
    { Sid: 'List', Effect: 'Allow', Action: 'secretsmanager:ListSecrets', Resource: '*' },
    { Sid: 'NeverDelete', Effect: 'Deny', Action: ['secretsmanager:DeleteSecret', 'secretsmanager:PutResourcePolicy'], Resource: '*' },
    { Sid: 'KeyViaSecretsManager', Effect: 'Allow', Action: 'kms:Decrypt', Resource: `arn:aws:kms:${region}:${account}:key/*`, Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } } },
    { Sid: 'Read', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: `${secrets}bench-secret-*`, Condition: { IpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '::1/128'] } } },
    { Sid: 'TagOwnTeam', Effect: 'Allow', Action: 'secretsmanager:TagResource', Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/team': 'bench' } } },
    { Sid: 'NoProd', Effect: 'Deny', Action: 'secretsmanager:GetSecretValue', Resource: `${secrets}prod/*` },
    { Sid: 'WriteApp', Effect: 'Allow', Action: 'secretsmanager:PutSecretValue', Resource: `${secrets}app/*` },
    { Sid: 'Self', Effect: 'Allow', Action: ['iam:GetUser', 'iam:ListAccessKeys'], Resource: `arn:aws:iam::${account}:user/\${aws:username}` },
    { Sid: 'NotAfter', Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2099-01-01T00:00:00Z' } } },
  ];
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

export function resourcePolicy(userArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Reader', Effect: 'Allow', Principal: { AWS: userArn }, Action: 'secretsmanager:GetSecretValue', Resource: '*' },
      { Sid: 'OnlyLocal', Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '::1/128'] } } },
    ],
  });
}

/** Creates the user, its policy and access key, and puts the resource policy on `secretNames`. */
export async function createBenchUser(coffer: CofferProcess, secretNames: string[]): Promise<SigningCredentials & { arn: string }> {
  const iam = async (params: Record<string, string>): Promise<string> => {
    const signed = new RequestSigner(coffer, coffer.region, 'iam').signForm(coffer.hostHeader, { ...params, Version: '2010-05-08' });
    const answer = await sendRaw(coffer.url, signed.headers, signed.body);
    if (answer.status !== 200) throw new Error(`IAM ${params.Action} failed: ${answer.status} ${answer.body}`);
    return answer.body;
  };
  const arn = element(await iam({ Action: 'CreateUser', UserName: USER }), 'Arn');
  await iam({ Action: 'PutUserPolicy', UserName: USER, PolicyName: 'bench-read', PolicyDocument: identityPolicy(coffer.region, arn.split(':')[4]!) });
  const key = await iam({ Action: 'CreateAccessKey', UserName: USER });
  const client = sdkClient(coffer, 32);
  try {
    const policy = resourcePolicy(arn);
    await forEachConcurrent(0, secretNames.length, 32, async (i) => {
      await client.send(new PutResourcePolicyCommand({ SecretId: secretNames[i]!, ResourcePolicy: policy }));
    });
  } finally {
    client.destroy();
  }
  return { arn, accessKeyId: element(key, 'AccessKeyId'), secretAccessKey: element(key, 'SecretAccessKey') };
}

function element(xml: string, name: string): string {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  if (!match) throw new Error(`no <${name}> in ${xml}`);
  return match[1]!;
}
