/**
 * What an audit record may hold of a request's parameters and a response's
 * elements. Members are recorded under CloudTrail's lower camel case names
 * (`KeyId` → `keyId`, `KMSKeyId` → `kmsKeyId`); secret material is left out
 * altogether, as CloudTrail does, rather than masked, so that not even its
 * length reaches the log.
 */

export type Parameters = Record<string, unknown>;

/** Members never recorded, whatever the service or operation, at any depth. */
const OMITTED_EVERYWHERE = [
  // Secrets Manager secret values and generated passwords.
  'SecretString',
  'SecretBinary',
  'RandomPassword',
  'RotationToken',
  // KMS plaintext and ciphertext: CloudTrail omits both for every KMS operation.
  'Plaintext',
  'CiphertextBlob',
  'CiphertextForRecipient',
  'PrivateKeyPlaintext',
  'PrivateKeyCiphertextBlob',
  'SharedSecret',
  'EncryptedKeyMaterial',
  'ImportToken',
  'AttestationDocument',
  // Credentials: request signing, sessions, external key store proxies.
  'SecretAccessKey',
  'RawSecretAccessKey',
  'XksProxyAuthenticationCredential',
  'SessionToken',
  'SigningKey',
  'Password',
  'KeyStorePassword',
  // Root key unsealing: Shamir shares and passphrases.
  'Share',
  'Shares',
  'Passphrase',
  'RootPassphrase',
];

/**
 * Members omitted only for some operations: these names are generic enough
 * that their meaning depends on the operation (a signed message, a MAC).
 */
const OMITTED_BY_OPERATION: Record<string, readonly string[]> = {
  'kms.amazonaws.com Sign': ['Message', 'Signature'],
  'kms.amazonaws.com Verify': ['Message', 'Signature'],
  'kms.amazonaws.com GenerateMac': ['Message', 'Mac'],
  'kms.amazonaws.com VerifyMac': ['Message', 'Mac'],
};

/**
 * Members recorded exactly as given, without renaming or walking into them:
 * their keys are the caller's own names, which may happen to match an omitted
 * name. KMS documents encryption context as logged in the clear and never
 * secret, and CloudTrail records it whole.
 */
const VERBATIM_BY_SOURCE: Record<string, readonly string[]> = {
  'kms.amazonaws.com': ['EncryptionContext'],
};

/** Member names are compared case-insensitively: SDK input and CloudTrail differ in case. */
const fold = (name: string) => name.toLowerCase();
const folded = (names: readonly string[] = []) => new Set(names.map(fold));
const OMITTED_GLOBALLY = folded(OMITTED_EVERYWHERE);

/**
 * The parameters as an audit record holds them: secret members removed at any
 * depth, binary values removed wherever they are (no binary member of either
 * API is safe to record, so an unlisted one fails closed), and member names in
 * lower camel case. Returns null for no parameters, as CloudTrail writes it.
 */
export function redactParameters(eventSource: string, eventName: string, params: unknown): Parameters | null {
  if (params === null || params === undefined) return null;
  const { omitted, verbatim } = rulesFor(eventSource, eventName);
  const walk = (value: unknown): unknown => {
    if (isBinary(value)) return undefined;
    if (Array.isArray(value)) return value.map(walk).filter((item) => item !== undefined);
    if (!isPlainObject(value)) return value;
    const out: Parameters = {};
    for (const [name, member] of Object.entries(value)) {
      const key = fold(name);
      if (omitted.has(key)) continue;
      const recorded = verbatim.has(key) ? member : walk(member);
      if (recorded !== undefined) out[lowerCamelCase(name)] = recorded;
    }
    return out;
  };
  const result = walk(params);
  return isPlainObject(result) ? result : null;
}

interface Rules {
  omitted: ReadonlySet<string>;
  verbatim: ReadonlySet<string>;
}

/** The rules of each operation, made once: every request is redacted, twice. */
const rulesByOperation = new Map<string, Rules>();

function rulesFor(eventSource: string, eventName: string): Rules {
  const key = `${eventSource} ${eventName}`;
  let rules = rulesByOperation.get(key);
  if (!rules) {
    rules = { omitted: new Set([...OMITTED_GLOBALLY, ...folded(OMITTED_BY_OPERATION[key])]), verbatim: folded(VERBATIM_BY_SOURCE[eventSource]) };
    rulesByOperation.set(key, rules);
  }
  return rules;
}

function isBinary(value: unknown): boolean {
  return value instanceof Uint8Array || value instanceof ArrayBuffer;
}

function isPlainObject(value: unknown): value is Parameters {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `KeyId` → `keyId`, `KMSKeyId` → `kmsKeyId`, `ARN` → `arn`: a leading acronym is lowered whole. */
export function lowerCamelCase(name: string): string {
  const leading = /^[A-Z]+(?=[A-Z][a-z]|$)|^[A-Z]/.exec(name);
  return leading ? leading[0].toLowerCase() + name.slice(leading[0].length) : name;
}
