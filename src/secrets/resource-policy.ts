import { ServiceError } from '../errors/service-error.js';
import { parsePolicy, PolicyDocumentError } from '../iam/policy/index.js';

/** Condition keys that confine a `"Principal": "*"` grant to known callers, so it is not public. */
const NARROWING_KEYS = new Set([
  'aws:principalaccount',
  'aws:principalarn',
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:sourceowner',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:userid',
  'aws:username',
]);

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
    ? [{ checkName: 'PUBLIC_ACCESS_CHECK', message: 'The resource policy grants access to any principal ("*") without a condition that limits it to known accounts or networks.' }]
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

/** Whether an Allow statement names every principal (`*`, `{"AWS":"*"}` or NotPrincipal) with no narrowing condition. */
function grantsPublicAccess(document: string): boolean {
  const parsed = JSON.parse(document) as { Statement: unknown };
  const statements = (Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement]) as Record<string, unknown>[];
  return statements.some((statement) => {
    if (statement.Effect !== 'Allow') return false;
    const everyone = statement.NotPrincipal !== undefined || namesEveryone(statement.Principal);
    return everyone && !narrowed(statement.Condition);
  });
}

function namesEveryone(principal: unknown): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  return Object.values(principal).some((value) => value === '*' || (Array.isArray(value) && value.includes('*')));
}

function narrowed(condition: unknown): boolean {
  if (typeof condition !== 'object' || condition === null) return false;
  return Object.values(condition).some(
    (block) => typeof block === 'object' && block !== null && Object.keys(block).some((key) => NARROWING_KEYS.has(key.toLowerCase())),
  );
}
