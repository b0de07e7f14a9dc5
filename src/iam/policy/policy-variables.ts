import type { ContextKeys } from './authorization-request.js';

/** `${aws:username}` or `${aws:PrincipalTag/team, 'default'}` in a policy string. */
export interface VariableRef {
  /** Lower-cased, as context keys are. */
  readonly key: string;
  readonly fallback: string | undefined;
}

/**
 * A policy string cut into plain text (where `*` and `?` are wildcards when the string is a
 * pattern), literal text from the `${*}` `${?}` `${$}` escapes (never wildcards), and variables.
 */
export type TemplateToken =
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'var'; readonly ref: VariableRef };

const VARIABLE = /\$\{([^}]*)\}/g;
const VARIABLE_BODY = /^\s*([^\s,']+)\s*(?:,\s*'([^']*)'\s*)?$/;
const ESCAPES: Record<string, string> = { '*': '*', '?': '?', $: '$' };

/**
 * Cuts a policy string into tokens. Variables exist only in policy language 2012-10-17: with an
 * older Version, `${...}` is plain text, as AWS documents.
 */
export function parseTemplate(source: string, variablesEnabled: boolean): TemplateToken[] {
  if (!variablesEnabled || !source.includes('${')) return [{ kind: 'text', value: source }];
  const tokens: TemplateToken[] = [];
  const pushText = (value: string) => {
    if (value) tokens.push({ kind: 'text', value });
  };
  let last = 0;
  for (const match of source.matchAll(VARIABLE)) {
    const body = match[1]!;
    const escaped = ESCAPES[body];
    const variable = escaped === undefined ? VARIABLE_BODY.exec(body) : null;
    if (escaped === undefined && !variable) continue; // not a variable: stays plain text
    pushText(source.slice(last, match.index));
    last = match.index + match[0].length;
    if (escaped !== undefined) tokens.push({ kind: 'literal', value: escaped });
    else tokens.push({ kind: 'var', ref: { key: variable![1]!.toLowerCase(), fallback: variable![2] } });
  }
  pushText(source.slice(last));
  return tokens;
}

export function variablesOf(tokens: readonly TemplateToken[]): VariableRef[] {
  const refs: VariableRef[] = [];
  for (const token of tokens) if (token.kind === 'var') refs.push(token.ref);
  return refs;
}

/**
 * A variable's value, or undefined when the request has none and the policy gives no default.
 * Multivalued keys cannot be policy variables, so they resolve only through the default.
 */
export function resolveVariable(ref: VariableRef, keys: ContextKeys): string | undefined {
  const value = keys.get(ref.key);
  if (typeof value === 'string') return value;
  if (value !== undefined && value.length === 1) return value[0];
  return ref.fallback;
}

/** The string a template stands for in this request (wildcards left as they are). */
export function resolveTemplate(tokens: readonly TemplateToken[], keys: ContextKeys): string | undefined {
  let out = '';
  for (const token of tokens) {
    const value = token.kind === 'var' ? resolveVariable(token.ref, keys) : token.value;
    if (value === undefined) return undefined;
    out += value;
  }
  return out;
}

/** A template without variables, as one string; undefined when it has variables. */
export function constantOf(tokens: readonly TemplateToken[]): string | undefined {
  const parts: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'var') return undefined;
    parts.push(token.value);
  }
  // Joined rather than concatenated, so that the result is a flat string, quick to compare.
  return parts.join('');
}
