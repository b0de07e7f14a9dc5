/**
 * The JSON a database secret holds (behaviour reference §7.5) as AWS's rotation
 * templates read it: `engine`, `host`, `username`, `password`, optional `port`,
 * `dbname`, `masterarn` and `ssl`; any other key is kept as it is.
 */

/** Whether to use TLS: always, never, or first with a plain retry as the templates do when `ssl` is absent. */
export type TlsMode = 'require' | 'disable' | 'prefer';

/** How secrets for one kind of server are read. */
export interface EngineFamily {
  /** What the secret's `engine` may say. */
  readonly engines: readonly string[];
  /** Whether a secret may leave `engine` out. */
  readonly engineOptional?: boolean;
  readonly defaultPort: number;
  /** The TLS mode when the secret has no usable `ssl`. */
  readonly defaultTls: TlsMode;
}

export interface DatabaseSecret {
  /** The whole JSON object, so that a new version keeps the keys a rotator does not use. */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly engine?: string;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly dbname?: string;
  readonly masterarn?: string;
  readonly tls: TlsMode;
}

const REQUIRED = ['host', 'username', 'password'] as const;

/**
 * Parses and checks one secret value. `source` names it in errors ("secret <arn> (AWSCURRENT)");
 * no message ever quotes the value, which holds a password.
 */
export function parseDatabaseSecret(text: string | undefined, source: string, family: EngineFamily): DatabaseSecret {
  if (text === undefined) throw new Error(`${source} has no SecretString: a database secret is a JSON string.`);
  let fields: unknown;
  try {
    fields = JSON.parse(text);
  } catch {
    throw new Error(`${source} is not valid JSON.`);
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw new Error(`${source} is not a JSON object.`);
  const record = fields as Record<string, unknown>;

  const engine = record.engine;
  const engineAccepted = engine === undefined ? family.engineOptional === true : typeof engine === 'string' && family.engines.includes(engine);
  if (!engineAccepted) {
    const names = family.engines.map((e) => `'${e}'`).join(' or ');
    throw new Error(`${source}: the engine key must be set to ${names} to use this rotation function.`);
  }
  for (const key of REQUIRED) {
    // An empty password is a password (a fresh MySQL root has one); an empty host or username is not there.
    const present = typeof record[key] === 'string' && (key === 'password' || record[key] !== '');
    if (!present) throw new Error(`${source}: the ${key} key is missing from the secret JSON.`);
  }
  return {
    fields: record,
    engine: engine as string | undefined,
    host: record.host as string,
    port: portOf(record.port, source, family.defaultPort),
    username: record.username as string,
    password: record.password as string,
    dbname: optionalString(record, 'dbname', source),
    masterarn: optionalString(record, 'masterarn', source),
    tls: tlsModeOf(record.ssl, family.defaultTls),
  };
}

/** The templates accept a number or a numeric string (`int(secret['port'])`). */
function portOf(value: unknown, source: string, defaultPort: number): number {
  if (value === undefined || value === null) return defaultPort;
  const port = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${source}: the port key must be a TCP port number.`);
  }
  return port;
}

function optionalString(record: Record<string, unknown>, key: string, source: string): string | undefined {
  const value = record[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`${source}: the ${key} key must be a string.`);
  return value;
}

/**
 * The templates' reading of `ssl`: a boolean, or "true"/"false" in any case, is obeyed;
 * anything else (or nothing) means "try TLS, fall back to plain".
 */
function tlsModeOf(ssl: unknown, fallback: TlsMode): TlsMode {
  const value = typeof ssl === 'string' ? ssl.toLowerCase() : ssl;
  if (value === true || value === 'true') return 'require';
  if (value === false || value === 'false') return 'disable';
  return fallback;
}
