import { randomInt } from 'node:crypto';
import { SecretsErrors } from '../errors/service-error.js';

/** GetRandomPassword request members (§8.3); all optional, AWS defaults applied here. */
export interface PasswordRules {
  PasswordLength?: number;
  ExcludeCharacters?: string;
  ExcludeNumbers?: boolean;
  ExcludePunctuation?: boolean;
  ExcludeUppercase?: boolean;
  ExcludeLowercase?: boolean;
  IncludeSpace?: boolean;
  RequireEachIncludedType?: boolean;
}

const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';
const UPPERCASE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const NUMBERS = '0123456789';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

export const MIN_PASSWORD_LENGTH = 1;
export const MAX_PASSWORD_LENGTH = 4096;

/**
 * Generates a password the way AWS GetRandomPassword does. Every draw goes through
 * crypto.randomInt, which rejection-samples, so each character of a pool is equally likely.
 */
export function generateRandomPassword(rules: PasswordRules = {}): string {
  const length = rules.PasswordLength ?? 32;
  // The model's range check normally catches this first; guarded so direct callers can't bypass it.
  if (!Number.isInteger(length) || length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    throw SecretsErrors.invalidParameter(
      `PasswordLength must be an integer between ${MIN_PASSWORD_LENGTH} and ${MAX_PASSWORD_LENGTH}.`,
    );
  }

  const excluded = new Set(rules.ExcludeCharacters ?? '');
  const classes = [
    rules.ExcludeLowercase ? '' : LOWERCASE,
    rules.ExcludeUppercase ? '' : UPPERCASE,
    rules.ExcludeNumbers ? '' : NUMBERS,
    rules.ExcludePunctuation ? '' : PUNCTUATION,
    rules.IncludeSpace ? ' ' : '',
  ]
    .map((chars) => [...chars].filter((c) => !excluded.has(c)).join(''))
    // A class emptied by ExcludeCharacters can't be required, so it simply drops out.
    .filter((chars) => chars.length > 0);

  if (classes.length === 0) {
    throw SecretsErrors.invalidParameter(
      'No characters are left to build a password from: every character type is excluded.',
    );
  }
  const required = (rules.RequireEachIncludedType ?? true) ? classes : [];
  if (length < required.length) {
    throw SecretsErrors.invalidParameter('Password length is too short based on the required types.');
  }

  const pool = classes.join('');
  const chars = required.map(pick);
  while (chars.length < length) chars.push(pick(pool));
  // Fisher–Yates, so the guaranteed characters land at random positions rather than up front.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}

function pick(chars: string): string {
  return chars[randomInt(chars.length)];
}

/**
 * AWS's rotation templates generate with ExcludeCharacters '/@"\'\\' because those break
 * connection URIs and shell/SQL quoting; ':' is added since it splits user:password in a URI's
 * userinfo, and space (never included by default anyway) is listed to make the intent explicit.
 */
export const CONNECTION_UNSAFE_CHARACTERS = ':/@"\'\\ ';

export function generateConnectionSafePassword(length = 32): string {
  return generateRandomPassword({ PasswordLength: length, ExcludeCharacters: CONNECTION_UNSAFE_CHARACTERS });
}
