import { AwsError } from './aws-error';
import { currentSession, type Credentials } from './credentials';
import { signedFetch } from './signed-fetch';
import { findElement, parseXml, type XmlElement } from './xml';

const VERSIONS = { iam: '2010-05-08', sts: '2011-06-15' } as const;

/** A query-protocol answer turned into plain values: elements as objects, `member` lists as arrays, text as strings. */
export type XmlValue = string | XmlValue[] | { [name: string]: XmlValue };

function convert(element: XmlElement): XmlValue {
  const { children } = element;
  if (children.length === 0) return element.text;
  if (children.every((c) => c.name === 'member')) return children.map(convert);
  const out: { [name: string]: XmlValue } = {};
  for (const child of children) out[child.name] = convert(child);
  return out;
}

/** The elements of a list in an answer (an empty list arrives as empty text). */
export function listOf<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

/**
 * One IAM or STS call (form-encoded, XML answer), signed with the session's keys or `credentials`.
 * `params` are already in the query protocol's flattened form (`Tags.member.1.Key`).
 */
export async function queryCall<T = Record<string, any>>(service: 'iam' | 'sts', action: string, params: Record<string, string> = {}, credentials?: Credentials, region?: string): Promise<T> {
  const session = currentSession();
  const keys = credentials ?? session?.credentials;
  if (!keys) throw new AwsError('SignedOut', 'You are signed out.', 0);
  const response = await signedFetch({
    credentials: keys,
    region: region ?? session!.region,
    service,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams({ Action: action, Version: VERSIONS[service], ...params }).toString(),
  });
  const text = await response.text();
  const root = parseXml(text);
  if (!response.ok || root.name === 'ErrorResponse') {
    const field = (name: string) => findElement(root, name)?.text ?? '';
    throw new AwsError(field('Code') || `HTTP ${response.status}`, field('Message') || text, response.status);
  }
  const result = findElement(root, `${action}Result`);
  return (result ? convert(result) : {}) as T;
}
