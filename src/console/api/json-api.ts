import { AwsError } from './aws-error';
import { currentSession, type Credentials } from './credentials';
import { signedFetch } from './signed-fetch';

/** The AWS JSON 1.1 services Coffer serves: the X-Amz-Target prefix and the signing name of each. */
export const JSON_SERVICES = {
  secretsmanager: { prefix: 'secretsmanager', signingName: 'secretsmanager' },
  kms: { prefix: 'TrentService', signingName: 'kms' },
  cloudtrail: { prefix: 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101', signingName: 'cloudtrail' },
  operator: { prefix: 'CofferOperator', signingName: 'coffer' },
  rotationFunctions: { prefix: 'CofferRotationFunctions', signingName: 'coffer' },
} as const;

export type JsonService = keyof typeof JSON_SERVICES;

/** One AWS JSON 1.1 call, signed with the session's keys (or `credentials`); AWS's error is thrown as an AwsError. */
export async function jsonCall<T = Record<string, any>>(service: JsonService, operation: string, input: object = {}, credentials?: Credentials, region?: string): Promise<T> {
  const session = currentSession();
  const keys = credentials ?? session?.credentials;
  if (!keys) throw new AwsError('SignedOut', 'You are signed out.', 0);
  const { prefix, signingName } = JSON_SERVICES[service];
  const response = await signedFetch({
    credentials: keys,
    region: region ?? session!.region,
    service: signingName,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${prefix}.${operation}` },
    body: JSON.stringify(input),
  });
  const text = await response.text();
  const body = parseJson(text);
  if (response.ok) return body as T;
  const code = String(body.__type ?? response.headers.get('x-amzn-errortype') ?? `HTTP ${response.status}`).split('#').pop()!;
  throw new AwsError(code, String(body.message ?? body.Message ?? text), response.status);
}

/** An unsigned call (operations that need no credentials, such as the seal status). */
export async function unsignedJsonCall<T = Record<string, any>>(service: JsonService, operation: string): Promise<T> {
  const response = await fetch('/', {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${JSON_SERVICES[service].prefix}.${operation}` },
    body: '{}',
    credentials: 'omit',
    cache: 'no-store',
  });
  const body = parseJson(await response.text());
  if (!response.ok) throw new AwsError(String(body.__type ?? response.status), String(body.message ?? body.Message ?? ''), response.status);
  return body as T;
}

function parseJson(text: string): Record<string, any> {
  try {
    return text ? (JSON.parse(text) as Record<string, any>) : {};
  } catch {
    return { message: text };
  }
}
