import { type ArnPattern, compileArnPattern } from './arn-pattern.js';
import { type CompiledCondition, compileConditionBlock } from './condition-block.js';
import { PolicyErrors } from './policy-document-error.js';
import { type VariableRef, parseTemplate, variablesOf } from './policy-variables.js';
import { type PrincipalSet, compilePrincipal } from './principal-matcher.js';
import { type Glob, compileGlob } from './wildcard.js';

/**
 * Which grammar a document follows. Identity policies (also used as permissions boundaries and
 * session policies) name no principal; resource policies must; role trust policies must name a
 * principal and no resource.
 */
export type PolicyKind = 'identity' | 'resource' | 'trust';

export type PolicyVersion = '2012-10-17' | '2008-10-17';

/** A pattern list, or its complement for NotAction / NotResource. */
export interface ActionMatcher {
  readonly patterns: readonly Glob[];
  readonly negated: boolean;
}

export interface ResourceMatcher {
  readonly patterns: readonly ArnPattern[];
  readonly negated: boolean;
}

export interface CompiledStatement {
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  readonly actions: ActionMatcher;
  /** Absent in trust policies, whose statements cover the role they are attached to. */
  readonly resources: ResourceMatcher | undefined;
  readonly principal: { readonly set: PrincipalSet; readonly negated: boolean } | undefined;
  readonly conditions: readonly CompiledCondition[];
  /** Variables the statement uses: it does not apply to a request that cannot resolve them all. */
  readonly variables: readonly VariableRef[];
}

/** A parsed, validated and compiled policy; compile once, evaluate many times. */
export interface CompiledPolicy {
  readonly kind: PolicyKind;
  readonly version: PolicyVersion;
  readonly id: string | undefined;
  readonly allow: readonly CompiledStatement[];
  readonly deny: readonly CompiledStatement[];
}

const VERSIONS: ReadonlySet<string> = new Set(['2012-10-17', '2008-10-17']);
const POLICY_FIELDS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_FIELDS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const ACTION = /^[A-Za-z0-9-]+:\S+$/;

/**
 * Parses and compiles a policy document (JSON text, or the value it parses to). Throws a
 * PolicyDocumentError carrying AWS's MalformedPolicyDocument message when the document is invalid.
 */
export function parsePolicy(document: string | object, kind: PolicyKind): CompiledPolicy {
  const root = typeof document === 'string' ? parseJson(document) : document;
  if (typeof root !== 'object' || root === null || Array.isArray(root)) throw PolicyErrors.syntax('a policy is a JSON object');
  const policy = root as Record<string, unknown>;
  for (const field of Object.keys(policy)) {
    if (!POLICY_FIELDS.has(field)) throw PolicyErrors.syntax(`unknown policy field ${field}`);
  }

  const version = policy.Version ?? '2008-10-17';
  if (typeof version !== 'string' || !VERSIONS.has(version)) {
    throw PolicyErrors.syntax(`Version must be "2012-10-17" or "2008-10-17"`);
  }
  if (policy.Id !== undefined && typeof policy.Id !== 'string') throw PolicyErrors.syntax('Id must be a string');

  const rawStatements = policy.Statement;
  if (rawStatements === undefined) throw PolicyErrors.syntax('the policy has no Statement');
  const list = Array.isArray(rawStatements) ? rawStatements : [rawStatements];
  if (list.length === 0) throw PolicyErrors.syntax('Statement is empty');

  const variablesEnabled = version === '2012-10-17';
  const sids = new Set<string>();
  const allow: CompiledStatement[] = [];
  const deny: CompiledStatement[] = [];
  for (const raw of list) {
    const statement = compileStatement(raw, kind, variablesEnabled);
    if (statement.sid) {
      if (sids.has(statement.sid)) throw PolicyErrors.duplicateSid(statement.sid);
      sids.add(statement.sid);
    }
    (statement.effect === 'Allow' ? allow : deny).push(statement);
  }
  return { kind, version: version as PolicyVersion, id: policy.Id as string | undefined, allow, deny };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw PolicyErrors.syntax('the policy is not valid JSON');
  }
}

function compileStatement(raw: unknown, kind: PolicyKind, variablesEnabled: boolean): CompiledStatement {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw PolicyErrors.syntax('a statement is a JSON object');
  const statement = raw as Record<string, unknown>;
  for (const field of Object.keys(statement)) {
    if (!STATEMENT_FIELDS.has(field)) throw PolicyErrors.syntax(`unknown statement field ${field}`);
  }

  const sid = statement.Sid;
  if (sid !== undefined && typeof sid !== 'string') throw PolicyErrors.syntax('Sid must be a string');
  const effect = statement.Effect;
  if (effect === undefined) throw PolicyErrors.effectMissing();
  if (effect !== 'Allow' && effect !== 'Deny') throw PolicyErrors.syntax(`Effect must be "Allow" or "Deny"`);

  const principal = compilePrincipalElement(statement, kind);
  const actions = compileActions(statement);
  const variables: VariableRef[] = [];
  const resources = compileResources(statement, kind, variablesEnabled, variables);
  const conditions =
    statement.Condition === undefined ? [] : compileConditionBlock(statement.Condition, variablesEnabled, variables);
  return { sid: sid || undefined, effect, actions, resources, principal, conditions, variables: dedupe(variables) };
}

function compilePrincipalElement(statement: Record<string, unknown>, kind: PolicyKind): CompiledStatement['principal'] {
  const { Principal: principal, NotPrincipal: notPrincipal } = statement;
  if (principal !== undefined && notPrincipal !== undefined) {
    throw PolicyErrors.syntax('a statement cannot have both Principal and NotPrincipal');
  }
  const raw = principal ?? notPrincipal;
  if (kind === 'identity') {
    if (raw !== undefined) throw PolicyErrors.principalForbidden();
    return undefined;
  }
  if (raw === undefined) throw PolicyErrors.principalMissing();
  return { set: compilePrincipal(raw), negated: notPrincipal !== undefined };
}

function compileActions(statement: Record<string, unknown>): ActionMatcher {
  const { element, negated } = either(statement, 'Action', 'NotAction');
  const actions = stringList(element, negated ? 'NotAction' : 'Action');
  if (actions === undefined || actions.length === 0) throw PolicyErrors.noActions();
  const patterns = actions.map((action) => {
    if (action !== '*' && !ACTION.test(action)) throw PolicyErrors.vendorMissing(action);
    // Actions match case-insensitively: patterns and requested actions are both lower-cased.
    return compileGlob(action, true);
  });
  return { patterns, negated };
}

function compileResources(
  statement: Record<string, unknown>,
  kind: PolicyKind,
  variablesEnabled: boolean,
  variables: VariableRef[],
): ResourceMatcher | undefined {
  const { element, negated } = either(statement, 'Resource', 'NotResource');
  const resources = stringList(element, negated ? 'NotResource' : 'Resource');
  if (kind === 'trust') {
    if (resources !== undefined) throw PolicyErrors.resourceForbidden();
    return undefined;
  }
  if (resources === undefined || resources.length === 0) throw PolicyErrors.noResources();
  const patterns = resources.map((resource) => {
    if (resource !== '*' && !resource.startsWith('arn:')) throw PolicyErrors.resourceFormat(resource);
    const tokens = parseTemplate(resource, variablesEnabled);
    variables.push(...variablesOf(tokens));
    return compileArnPattern(tokens);
  });
  return { patterns, negated };
}

/** Element X or NotX, never both. */
function either(statement: Record<string, unknown>, name: string, notName: string): { element: unknown; negated: boolean } {
  const element = statement[name];
  const notElement = statement[notName];
  if (element !== undefined && notElement !== undefined) {
    throw PolicyErrors.syntax(`a statement cannot have both ${name} and ${notName}`);
  }
  return element !== undefined ? { element, negated: false } : { element: notElement, negated: notElement !== undefined };
}

function stringList(raw: unknown, element: string): string[] | undefined {
  if (raw === undefined) return undefined;
  const list = Array.isArray(raw) ? raw : [raw];
  for (const item of list) {
    if (typeof item !== 'string') throw PolicyErrors.syntax(`${element} must be a string or a list of strings`);
  }
  return list as string[];
}

function dedupe(refs: VariableRef[]): VariableRef[] {
  const seen = new Map<string, VariableRef>();
  for (const ref of refs) seen.set(ref.fallback === undefined ? ref.key : `${ref.key}\u0000${ref.fallback}`, ref);
  return [...seen.values()];
}
