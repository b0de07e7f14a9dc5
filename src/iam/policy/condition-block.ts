import type { ContextKeys } from './authorization-request.js';
import { type ValueSetMatcher, findOperator } from './condition-operators.js';
import { PolicyErrors } from './policy-document-error.js';
import type { VariableRef } from './policy-variables.js';

/** How a condition treats a key with several values in the request. */
const enum Qualifier {
  /** Plain operator: true when any request value matches (for Not forms, when none does). */
  None,
  /** Every request value must satisfy the operator; a missing or empty key satisfies it. */
  ForAllValues,
  /** At least one request value must satisfy the operator; a missing or empty key does not. */
  ForAnyValue,
}

/** One key under one operator; a statement's conditions all hold or the statement does not apply. */
export interface CompiledCondition {
  readonly key: string;
  readonly qualifier: Qualifier;
  readonly ifExists: boolean;
  readonly negated: boolean;
  readonly match: ValueSetMatcher;
  /** For Null: which of "key absent" (true) and "key present" (false) the policy accepts. */
  readonly nullAccepts?: { readonly absent: boolean; readonly present: boolean };
}

const CONDITION_KEY = /^[^:\s]+:\S+$/;
const IF_EXISTS = 'ifexists';
const QUALIFIERS: ReadonlyArray<[string, Qualifier]> = [
  ['forallvalues:', Qualifier.ForAllValues],
  ['foranyvalue:', Qualifier.ForAnyValue],
];
const NEVER: ValueSetMatcher = () => false;

/**
 * Compiles a statement's Condition element: `{ operator: { key: value | [values] } }`.
 * Variables used in condition values are added to `refs`.
 */
export function compileConditionBlock(raw: unknown, variablesEnabled: boolean, refs: VariableRef[]): CompiledCondition[] {
  const conditions: CompiledCondition[] = [];
  for (const [operatorName, block] of Object.entries(asObject(raw, 'Condition'))) {
    const { qualifier, ifExists, base } = splitOperatorName(operatorName);
    for (const [key, rawValues] of Object.entries(asObject(block, operatorName))) {
      if (!CONDITION_KEY.test(key)) throw PolicyErrors.vendorMissing(key);
      const values = conditionValues(rawValues, key);
      const common = { key: key.toLowerCase(), qualifier, ifExists };
      if (base === 'null') {
        if (qualifier !== Qualifier.None || ifExists) throw PolicyErrors.syntax(`${operatorName} is not a condition operator`);
        conditions.push({ ...common, negated: false, match: NEVER, nullAccepts: nullAccepts(values) });
        continue;
      }
      const operator = findOperator(base);
      if (!operator) throw PolicyErrors.syntax(`${operatorName} is not a condition operator`);
      const match = operator.family.compile(values, variablesEnabled, refs);
      conditions.push({ ...common, negated: operator.negated, match });
    }
  }
  return conditions;
}

export function conditionsHold(conditions: readonly CompiledCondition[], keys: ContextKeys): boolean {
  for (const condition of conditions) if (!conditionHolds(condition, keys)) return false;
  return true;
}

function conditionHolds(condition: CompiledCondition, keys: ContextKeys): boolean {
  const value = keys.get(condition.key);
  const absent = value === undefined || (typeof value !== 'string' && value.length === 0);
  if (condition.nullAccepts) return absent ? condition.nullAccepts.absent : condition.nullAccepts.present;
  if (absent) {
    if (condition.ifExists || condition.qualifier === Qualifier.ForAllValues) return true;
    if (condition.qualifier === Qualifier.ForAnyValue) return false;
    // AWS: a missing key fails a condition, except that a negated one ("must not match") holds.
    return condition.negated;
  }
  const { match, negated } = condition;
  if (typeof value === 'string') return match(value, keys) !== negated;
  switch (condition.qualifier) {
    case Qualifier.ForAllValues:
      for (const v of value) if (match(v, keys) === negated) return false;
      return true;
    case Qualifier.ForAnyValue:
      for (const v of value) if (match(v, keys) !== negated) return true;
      return false;
    case Qualifier.None: {
      let any = false;
      for (const v of value) if ((any = match(v, keys))) break;
      return any !== negated;
    }
  }
}

function splitOperatorName(name: string): { qualifier: Qualifier; ifExists: boolean; base: string } {
  let rest = name.toLowerCase();
  let qualifier = Qualifier.None;
  for (const [prefix, q] of QUALIFIERS) {
    if (rest.startsWith(prefix)) {
      rest = rest.slice(prefix.length);
      qualifier = q;
    }
  }
  const ifExists = rest.length > IF_EXISTS.length && rest.endsWith(IF_EXISTS);
  return { qualifier, ifExists, base: ifExists ? rest.slice(0, -IF_EXISTS.length) : rest };
}

function nullAccepts(values: readonly string[]): { absent: boolean; present: boolean } {
  const accepts = { absent: false, present: false };
  for (const value of values) {
    const lower = value.toLowerCase();
    if (lower === 'true') accepts.absent = true;
    else if (lower === 'false') accepts.present = true;
    else throw PolicyErrors.syntax(`"${value}" is not a valid Null condition value`);
  }
  return accepts;
}

/** AWS takes strings, and also JSON numbers and booleans, alone or in a list. */
function conditionValues(raw: unknown, key: string): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((value) => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw PolicyErrors.syntax(`condition values of ${key} must be strings, numbers or booleans`);
  });
}

function asObject(raw: unknown, element: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw PolicyErrors.syntax(`${element} must be an object`);
  return raw as Record<string, unknown>;
}
