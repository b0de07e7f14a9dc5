/**
 * IAM and STS over the query protocol with hand-signed requests, for tests that need
 * users with given policies and their credentials.
 */
import assert from 'node:assert/strict';
import type { TestServer } from './coffer-server.js';
import { rawClientFor, type RawCredentials, type RawResponse } from './raw-client.js';
import { uniqueName } from './sdk-errors.js';

const FORM = 'application/x-www-form-urlencoded; charset=utf-8';
const VERSIONS = { iam: '2010-05-08', sts: '2011-06-15' } as const;

export const xmlElement = (xml: string, name: string): string | undefined => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

export interface IamQuery {
  /** One call; credentials absent means the server's administrator. */
  send(service: 'iam' | 'sts', params: Record<string, string>, credentials?: RawCredentials): Promise<RawResponse>;
  /** One call as the administrator that must succeed; returns the XML answer. */
  admin(params: Record<string, string>): Promise<string>;
  /** A new user with one inline policy (none when `statements` is empty) and its access key. */
  userWith(prefix: string, statements: object[]): Promise<{ userName: string; arn: string; credentials: RawCredentials }>;
}

export function iamQuery(server: TestServer): IamQuery {
  const raw = rawClientFor(server);
  const send: IamQuery['send'] = (service, params, credentials) =>
    raw.send({
      body: new URLSearchParams({ ...params, Version: VERSIONS[service] }).toString(),
      headers: { 'Content-Type': FORM },
      sign: { service, ...(credentials ? { credentials } : {}) },
    });
  const admin: IamQuery['admin'] = async (params) => {
    const res = await send('iam', params);
    assert.equal(res.status, 200, `${params.Action}: ${res.text}`);
    return res.text;
  };
  const userWith: IamQuery['userWith'] = async (prefix, statements) => {
    const userName = uniqueName(prefix).replace(/\//g, '-');
    const arn = xmlElement(await admin({ Action: 'CreateUser', UserName: userName }), 'Arn')!;
    if (statements.length > 0) {
      const document = JSON.stringify({ Version: '2012-10-17', Statement: statements });
      await admin({ Action: 'PutUserPolicy', UserName: userName, PolicyName: 'access', PolicyDocument: document });
    }
    const key = await admin({ Action: 'CreateAccessKey', UserName: userName });
    return { userName, arn, credentials: { accessKeyId: xmlElement(key, 'AccessKeyId')!, secretAccessKey: xmlElement(key, 'SecretAccessKey')! } };
  };
  return { send, admin, userWith };
}
