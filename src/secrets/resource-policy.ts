import { ServiceError } from '../errors/service-error.js';
import { parsePolicy, PolicyDocumentError } from '../iam/policy/index.js';
import { grantsPublicAccess } from './public-policy.js';

export interface PolicyCheck {
  checkName: 'SYNTAX_CHECK' | 'PUBLIC_ACCESS_CHECK';
  message: string;
}

/** Problems ValidateResourcePolicy reports: a document that does not parse, or one that grants public access. */
export function checkResourcePolicy(document: string): PolicyCheck[] {
  try {
    parsePolicy(document, 'resource');
  } catch (error) {
    if (!(error instanceof PolicyDocumentError)) throw error;
    return [{ checkName: 'SYNTAX_CHECK', message: `${error.message} ${error.detail}`.trim() }];
  }
  return grantsPublicAccess(document)
    ? [{ checkName: 'PUBLIC_ACCESS_CHECK', message: 'The resource policy grants access to any principal ("*") without a condition that pins it to an account, organization, VPC, endpoint, source ARN or bounded source address.' }]
    : [];
}

/** The document to store, or MalformedPolicyDocumentException / PublicPolicyException (with BlockPublicPolicy). */
export function acceptResourcePolicy(document: string, blockPublicPolicy: boolean): string {
  const problems = checkResourcePolicy(document);
  const syntax = problems.find((p) => p.checkName === 'SYNTAX_CHECK');
  if (syntax) throw new ServiceError('MalformedPolicyDocumentException', `The resource policy is not valid: ${syntax.message}`);
  if (blockPublicPolicy && problems.length) {
    throw new ServiceError('PublicPolicyException', 'The BlockPublicPolicy parameter is set, and the resource policy grants public access to the secret.');
  }
  return document;
}
