import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';

/** How `--storage postgres://…` reaches its database. */
export interface PostgresOptions {
  /** postgres://user[:password]@host[:port]/database[?sslmode=…&sslrootcert=…&schema=…] */
  url: string;
  /** PEM file of the certificate authority the server's certificate must chain to (`--storage-ca`). */
  caFile?: string;
  /** A file holding the password (`--storage-password-file`); PGPASSWORD is read when neither it nor the URL gives one. */
  passwordFile?: string;
}

/** How long a new connection (or a free pooled one) is waited for. */
const CONNECT_TIMEOUT_MS = 1500;
/** Coffer's statements touch a few rows: one that runs longer waits on a lock or on a server in trouble. */
const STATEMENT_TIMEOUT_MS = 1500;
const QUERY_TIMEOUT_MS = 2000;

const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
const URL_PARAMETERS = new Set(['sslmode', 'sslrootcert', 'schema']);

export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

/** The URL without its password, for logs and messages. */
export function redactedUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '****';
    return url.toString();
  } catch {
    return 'postgres://(unreadable URL)';
  }
}

/** The pool's settings and the schema the store lives in. Throws a message fit for the operator (never the password). */
export function connectionConfig(options: PostgresOptions): { pool: pg.PoolConfig; schema: string } {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new Error(`--storage ${redactedUrl(options.url)} is not a URL`);
  }
  if (!isPostgresUrl(options.url)) throw new Error('--storage takes a postgres:// URL');
  for (const name of url.searchParams.keys()) {
    if (!URL_PARAMETERS.has(name)) throw new Error(`--storage: unknown URL parameter '${name}' (known: ${[...URL_PARAMETERS].join(', ')})`);
  }
  const schema = url.searchParams.get('schema') ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`--storage: schema '${schema}' must be a lower-case SQL name`);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  return {
    schema,
    pool: {
      // A host in brackets is IPv6; one starting with / (percent-encoded) a Unix socket directory.
      host: decodeURIComponent(url.hostname.replace(/^\[(.*)\]$/, '$1')) || undefined,
      port: url.port ? Number(url.port) : undefined,
      user: decodeURIComponent(url.username) || undefined,
      database: database || undefined,
      password: url.password ? decodeURIComponent(url.password) : readPasswordFile(options.passwordFile),
      ssl: tlsOptions(url.searchParams.get('sslmode') ?? undefined, options.caFile ?? url.searchParams.get('sslrootcert') ?? undefined),
      // Units of work take at most four (PostgresStorage), so reads always find one.
      max: 10,
      // Nothing waits long on a database that is gone or unreachable: the request is answered
      // ServiceUnavailableException instead (see PostgresStorage.isWriteFailure).
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      // The server cancels a statement first (a lock wait); the client gives up on one the server never answers.
      statement_timeout: STATEMENT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      // A dead peer behind a lost network shows as a broken connection, not an idle one.
      keepAlive: true,
      application_name: 'coffer',
      options: schema === 'public' ? undefined : `-c search_path=${schema}`,
      types: { getTypeParser: typeParser },
    },
  };
}

/** BIGINT columns hold epoch milliseconds and ids, all within a double's exact range. */
function typeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === pg.types.builtins.INT8) return Number;
  return pg.types.getTypeParser(oid, format as 'text');
}

function readPasswordFile(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new Error(`--storage-password-file ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * sslmode as libpq reads it: disable (the default unless a CA is given), require (encrypted,
 * certificate not checked unless a CA is given), verify-ca (chains to the CA), verify-full (and
 * names the host). A CA given without sslmode means verify-full.
 */
function tlsOptions(mode: string | undefined, caFile: string | undefined): false | ConnectionOptions {
  if (mode !== undefined && !(SSL_MODES as readonly string[]).includes(mode)) {
    throw new Error(`--storage: sslmode must be one of ${SSL_MODES.join(', ')}, not '${mode}'`);
  }
  const effective = mode ?? (caFile ? 'verify-full' : 'disable');
  if (effective === 'disable') return false;
  let ca: Buffer | undefined;
  if (caFile !== undefined) {
    try {
      ca = readFileSync(caFile);
    } catch (error) {
      throw new Error(`--storage-ca ${caFile} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  if (effective === 'require' && !ca) return { rejectUnauthorized: false };
  if (effective === 'verify-full') return { ca, rejectUnauthorized: true };
  // verify-ca, or require with a CA (as libpq does with a root certificate): the chain, not the name.
  return { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
}
