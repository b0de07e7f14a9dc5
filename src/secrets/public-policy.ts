/**
 * Whether a resource policy grants public access, as BlockPublicPolicy judges it.
 * An Allow statement naming every principal is public unless one of its conditions
 * pins it, with a positive operator and only non-wildcard values, to an account,
 * organization, VPC or endpoint, source ARN or bounded source address. Negated
 * operators, IfExists and ForAllValues (both hold when the key is absent) pin nothing.
 */
export function grantsPublicAccess(document: string): boolean {
  const parsed = JSON.parse(document) as { Statement: unknown };
  const statements = (Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement]) as Record<string, unknown>[];
  return statements.some((statement) => {
    if (statement.Effect !== 'Allow') return false;
    const everyone = statement.NotPrincipal !== undefined || namesEveryone(statement.Principal);
    return everyone && !pinned(statement.Condition);
  });
}

type ValueCheck = (value: string) => boolean;

const literal: ValueCheck = (value) => value.length > 0 && !/[*?]/.test(value) && !value.includes('${');
/** An ARN whose partition, service, region and account are literal, the account not empty; wildcards only in the resource part. */
const pinnedArn: ValueCheck = (value) => {
  if (literal(value)) return true;
  const parts = value.split(':');
  return parts.length >= 6 && parts.slice(0, 5).every((part) => !/[*?]/.test(part) && !part.includes('${')) && parts[4] !== '';
};
const accountId: ValueCheck = (value) => /^\d{12}$/.test(value);
/** A CIDR narrower than a /8 (IPv4) or /32 (IPv6); a bare address is a host. */
const boundedCidr: ValueCheck = (value) => {
  const [address, bits] = value.split('/');
  if (!address || !literal(address)) return false;
  if (bits === undefined) return true;
  const prefix = Number(bits);
  return Number.isInteger(prefix) && prefix >= (address.includes(':') ? 32 : 8);
};

type OperatorFamily = 'string' | 'arn' | 'ip';
/** Positive operators (lower case) and the kind of value they compare. */
const POSITIVE_OPERATORS: Record<string, OperatorFamily> = {
  stringequals: 'string',
  stringequalsignorecase: 'string',
  stringlike: 'string',
  arnequals: 'arn',
  arnlike: 'arn',
  ipaddress: 'ip',
};

/** Keys that pin a statement, with what a value must be to pin it under each operator family. */
const PINNING_KEYS: Record<string, Partial<Record<OperatorFamily, ValueCheck>>> = {
  'aws:principalaccount': { string: accountId },
  'aws:sourceaccount': { string: accountId },
  'aws:sourceowner': { string: accountId },
  'aws:principalorgid': { string: literal },
  'aws:principalorgpaths': { string: organizationPath },
  'aws:sourcevpc': { string: literal },
  'aws:sourcevpce': { string: literal },
  'aws:sourcearn': { string: pinnedArn, arn: pinnedArn },
  'aws:principalarn': { string: pinnedArn, arn: pinnedArn },
  'aws:sourceip': { ip: boundedCidr },
};

/** An organization path (o-xxx/r-xxx/...) whose organization id is literal. */
function organizationPath(value: string): boolean {
  const organization = value.split('/')[0] ?? '';
  return /^o-[a-z0-9]+$/.test(organization);
}

function namesEveryone(principal: unknown): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  return Object.values(principal).some((value) => value === '*' || (Array.isArray(value) && value.includes('*')));
}

function pinned(condition: unknown): boolean {
  if (typeof condition !== 'object' || condition === null) return false;
  return Object.entries(condition).some(([operatorName, block]) => {
    const family = positiveFamily(operatorName);
    if (family === undefined || typeof block !== 'object' || block === null) return false;
    return Object.entries(block).some(([key, values]) => {
      const check = PINNING_KEYS[key.toLowerCase()]?.[family];
      const list: unknown[] = Array.isArray(values) ? values : [values];
      return check !== undefined && list.length > 0 && list.every((value) => typeof value === 'string' && check(value));
    });
  });
}

/** The operator family of a positive, unconditional operator name; undefined for Not forms, IfExists and ForAllValues. */
function positiveFamily(operatorName: string): OperatorFamily | undefined {
  let name = operatorName.toLowerCase();
  if (name.startsWith('forallvalues:')) return undefined;
  if (name.startsWith('foranyvalue:')) name = name.slice('foranyvalue:'.length);
  return POSITIVE_OPERATORS[name];
}
