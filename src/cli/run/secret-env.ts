/**
 * Which environment variables `coffer run` makes of which secrets. A `--secret` is one of:
 * - `ID`: a JSON object's top-level keys each become a variable; any other value becomes one
 *   variable named after the secret;
 * - `ID#KEY`: that key of the JSON object, as a variable named after the key;
 * - `NAME=ID` or `NAME=ID#KEY`: the whole value, or that key's, as the variable NAME.
 * ID is a name, ARN or partial ARN (`#` is in none); NAME a variable name (letters, digits, `_`).
 * Names made from keys and secret names are upper-cased, with every character other than a
 * letter, digit or `_` made `_` (and a leading digit preceded by `_`), after `--prefix`.
 * Values: strings as they are, numbers and booleans as JSON writes them, null as empty,
 * objects and arrays as JSON; a binary secret in base64.
 */
export interface SecretSpec {
  /** As written on the command line, for messages. */
  text: string;
  secretId: string;
  key?: string;
  /** The variable named explicitly. */
  variable?: string;
}

/** A secret's value as BatchGetSecretValue gives it. */
export interface FetchedSecret {
  ARN: string;
  Name: string;
  SecretString?: string;
  /** base64, as the JSON protocol carries it. */
  SecretBinary?: string;
}

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseSecretSpec(text: string): SecretSpec {
  const equals = text.indexOf('=');
  const variable = equals > 0 && VARIABLE.test(text.slice(0, equals)) ? text.slice(0, equals) : undefined;
  const rest = variable === undefined ? text : text.slice(equals + 1);
  const hash = rest.indexOf('#');
  const secretId = hash < 0 ? rest : rest.slice(0, hash);
  const key = hash < 0 ? undefined : rest.slice(hash + 1);
  if (!secretId || key === '') throw new Error(`--secret ${text}: give ID, ID#KEY, NAME=ID or NAME=ID#KEY`);
  return { text, secretId, ...(key !== undefined ? { key } : {}), ...(variable ? { variable } : {}) };
}

/** A variable name made from a key or a secret name. */
export function variableName(prefix: string, name: string): string {
  const made = `${prefix}${name}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return /^[0-9]/.test(made) ? `_${made}` : made;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}

/** The JSON object a secret holds, or undefined. */
function objectOf(secret: FetchedSecret): Record<string, unknown> | undefined {
  if (secret.SecretString === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(secret.SecretString);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The variables of one spec, from its secret's value. */
function variablesOf(spec: SecretSpec, secret: FetchedSecret, prefix: string): [string, string][] {
  const whole = secret.SecretString ?? secret.SecretBinary ?? '';
  const object = objectOf(secret);
  if (spec.key !== undefined) {
    if (!object || !Object.hasOwn(object, spec.key)) throw new Error(`--secret ${spec.text}: the secret ${secret.Name} holds no JSON key ${spec.key}`);
    return [[spec.variable ?? variableName(prefix, spec.key), text(object[spec.key])]];
  }
  if (spec.variable) return [[spec.variable, whole]];
  if (object) return Object.entries(object).map(([key, value]) => [variableName(prefix, key), text(value)]);
  return [[variableName(prefix, secret.Name), whole]];
}

/** Every variable the specs make; two that make the same variable are refused, naming it. */
export function secretVariables(specs: SecretSpec[], secrets: Map<string, FetchedSecret>, prefix = ''): Map<string, string> {
  const variables = new Map<string, string>();
  const madeBy = new Map<string, string>();
  for (const spec of specs) {
    for (const [name, value] of variablesOf(spec, secrets.get(spec.secretId)!, prefix)) {
      const earlier = madeBy.get(name);
      if (earlier !== undefined) throw new Error(`--secret ${earlier} and --secret ${spec.text} both make the variable ${name}`);
      madeBy.set(name, spec.text);
      variables.set(name, value);
    }
  }
  return variables;
}
