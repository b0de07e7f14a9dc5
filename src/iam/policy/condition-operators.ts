import type { ContextKeys } from './authorization-request.js';
import { compileArnPattern } from './arn-pattern.js';
import { cidrContains, parseCidr, parseIpAddress } from './ip-cidr.js';
import { parsePolicyDate } from './policy-date.js';
import { PolicyErrors } from './policy-document-error.js';
import {
  type TemplateToken,
  type VariableRef,
  constantOf,
  parseTemplate,
  resolveTemplate,
  variablesOf,
} from './policy-variables.js';
import { compileGlobTokens } from './wildcard.js';

/** True when one request value matches any of the policy's values for a key (values are ORed). */
export type ValueSetMatcher = (requestValue: string, keys: ContextKeys) => boolean;

/** How one kind of operator reads its policy values and compares a request value with them. */
interface OperatorFamily {
  /**
   * Compiles the policy values; the variables they use are added to `refs`. Throws a
   * PolicyDocumentError for a value the operator cannot read.
   */
  compile(values: readonly string[], variablesEnabled: boolean, refs: VariableRef[]): ValueSetMatcher;
}

/** A condition operator without its ForAllValues:/ForAnyValue: qualifier nor IfExists suffix. */
export interface ConditionOperator {
  readonly family: OperatorFamily;
  /** The Not forms match when the positive form does not (AWS: values of a negated operator are NORed). */
  readonly negated: boolean;
}

/** Policy values as templates, recording their variables; `allowed` is false for operators AWS gives no variables. */
function templatesOf(values: readonly string[], allowed: boolean, refs: VariableRef[]): TemplateToken[][] {
  return values.map((value) => {
    const tokens = parseTemplate(value, allowed);
    refs.push(...variablesOf(tokens));
    return tokens;
  });
}

function stringEquality(foldCase: boolean): OperatorFamily {
  const fold = (s: string) => (foldCase ? s.toLowerCase() : s);
  return {
    compile(values, variablesEnabled, refs) {
      const templates = templatesOf(values, variablesEnabled, refs);
      const constants = templates.map(constantOf);
      if (constants.every((c) => c !== undefined)) {
        const set = new Set(constants.map((c) => fold(c!)));
        return (value) => set.has(fold(value));
      }
      return (value, keys) => {
        const probe = fold(value);
        for (const template of templates) {
          const resolved = resolveTemplate(template, keys);
          if (resolved !== undefined && fold(resolved) === probe) return true;
        }
        return false;
      };
    },
  };
}

const caseInsensitiveEquality = stringEquality(true);

const stringLike: OperatorFamily = {
  compile(values, variablesEnabled, refs) {
    const globs = templatesOf(values, variablesEnabled, refs).map((tokens) => compileGlobTokens(tokens));
    return (value, keys) => {
      for (const glob of globs) if (glob.matches(value, 0, value.length, keys)) return true;
      return false;
    };
  },
};

const arnLike: OperatorFamily = {
  compile(values, variablesEnabled, refs) {
    const patterns = templatesOf(values, variablesEnabled, refs).map(compileArnPattern);
    return (value, keys) => {
      for (const pattern of patterns) if (pattern.matches(value, keys)) return true;
      return false;
    };
  },
};

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const parseNumber = (text: string) => (NUMBER.test(text) ? Number(text) : NaN);

/** Numbers and dates: policy values parsed once, request values on each evaluation; no variables (AWS allows none). */
function ordered(kind: string, parse: (text: string) => number, compare: (request: number, policy: number) => boolean): OperatorFamily {
  return {
    compile(values) {
      const limits = values.map((value) => {
        const parsed = parse(value);
        if (Number.isNaN(parsed)) throw PolicyErrors.syntax(`"${value}" is not a valid ${kind} condition value`);
        return parsed;
      });
      // Requests in the same second send the same aws:CurrentTime: the last value's parse is kept.
      let lastValue: string | undefined;
      let lastParsed = NaN;
      return (value) => {
        if (value !== lastValue) {
          lastParsed = parse(value);
          lastValue = value;
        }
        const parsed = lastParsed;
        if (Number.isNaN(parsed)) return false;
        for (const limit of limits) if (compare(parsed, limit)) return true;
        return false;
      };
    },
  };
}

/** Bool compares "true" / "false" regardless of case: a case-insensitive string match on checked values. */
const bool: OperatorFamily = {
  compile(values, variablesEnabled, refs) {
    for (const value of values) {
      if (!/^(true|false)$/i.test(value) && !(variablesEnabled && value.includes('${'))) {
        throw PolicyErrors.syntax(`"${value}" is not a valid Bool condition value`);
      }
    }
    return caseInsensitiveEquality.compile(values, variablesEnabled, refs);
  },
};

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const binary: OperatorFamily = {
  compile(values) {
    const expected = values.map((value) => {
      if (!BASE64.test(value)) throw PolicyErrors.syntax(`"${value}" is not base-64 for BinaryEquals`);
      return Buffer.from(value, 'base64');
    });
    return (value) => {
      if (!BASE64.test(value)) return false;
      const bytes = Buffer.from(value, 'base64');
      for (const candidate of expected) if (candidate.equals(bytes)) return true;
      return false;
    };
  },
};

const ipAddress: OperatorFamily = {
  compile(values) {
    const blocks = values.map((value) => {
      const block = parseCidr(value);
      if (!block) throw PolicyErrors.syntax(`"${value}" is not an IP address or CIDR block`);
      return block;
    });
    // Reused for every request: evaluation is synchronous, so one buffer per operator is enough.
    const address = new Uint16Array(8);
    return (value) => {
      const family = parseIpAddress(value, address);
      if (family === 0) return false;
      for (const block of blocks) if (cidrContains(block, family, address)) return true;
      return false;
    };
  },
};

const COMPARISONS: Record<string, (request: number, policy: number) => boolean> = {
  Equals: (request, policy) => request === policy,
  LessThan: (request, policy) => request < policy,
  LessThanEquals: (request, policy) => request <= policy,
  GreaterThan: (request, policy) => request > policy,
  GreaterThanEquals: (request, policy) => request >= policy,
};

const OPERATORS = new Map<string, ConditionOperator>();

function define(name: string, family: OperatorFamily, negatedName?: string): void {
  OPERATORS.set(name.toLowerCase(), { family, negated: false });
  if (negatedName) OPERATORS.set(negatedName.toLowerCase(), { family, negated: true });
}

define('StringEquals', stringEquality(false), 'StringNotEquals');
define('StringEqualsIgnoreCase', caseInsensitiveEquality, 'StringNotEqualsIgnoreCase');
define('StringLike', stringLike, 'StringNotLike');
for (const [name, compare] of Object.entries(COMPARISONS)) {
  define(`Numeric${name}`, ordered('numeric', parseNumber, compare), name === 'Equals' ? 'NumericNotEquals' : undefined);
  define(`Date${name}`, ordered('date', parsePolicyDate, compare), name === 'Equals' ? 'DateNotEquals' : undefined);
}
define('Bool', bool);
define('BinaryEquals', binary);
define('IpAddress', ipAddress, 'NotIpAddress');
// AWS documents ArnEquals and ArnLike as behaving identically, wildcards included.
define('ArnEquals', arnLike, 'ArnNotEquals');
define('ArnLike', arnLike, 'ArnNotLike');

/** The operator of that lower-cased name, without qualifier or IfExists; Null is not among them. */
export function findOperator(name: string): ConditionOperator | undefined {
  return OPERATORS.get(name);
}
