import { parsePolicy, PolicyDocumentError, type CompiledPolicy, type PolicyKind } from '../policy/index.js';
import { IamErrors } from './iam-errors.js';

/** Compiles a policy document a client gave, or refuses it with MalformedPolicyDocument and AWS's message. */
export function checkedPolicy(document: string, kind: PolicyKind): CompiledPolicy {
  try {
    return parsePolicy(document, kind);
  } catch (error) {
    if (error instanceof PolicyDocumentError) throw IamErrors.malformedPolicy(error.message);
    throw error;
  }
}

/** IAM returns policy documents URL-encoded (RFC 3986), as stored; boto3 and the CLI decode them. */
export function encodedDocument(document: string): string {
  return encodeURIComponent(document);
}

/** The size IAM counts against its inline policy quotas: characters other than white space. */
export function policySize(document: string): number {
  return document.replace(/\s/g, '').length;
}
