import type { DatabaseSecret, EngineFamily } from './database-secret.js';

/** Every connection a rotator opens gives up after this long, as the templates' connect_timeout=5 does. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** A statement that waits longer (on a lock, say) fails the step rather than hanging it. */
export const STATEMENT_TIMEOUT_MS = 10_000;

/** A logged-in connection to the server whose credential is rotated. */
export interface Session {
  /**
   * Whether the server checked the password to let this login in. A server that trusts the
   * client (PostgreSQL `trust`) lets any password in, so such a login proves nothing about it.
   */
  readonly passwordVerified: boolean;
  /** A trivial round trip: `SELECT 1`, `PING`. */
  ping(): Promise<void>;
  /** Changes the logged-in user's own password. */
  changeOwnPassword(password: string): Promise<void>;
  close(): Promise<void>;
}

/** A session of a superuser, which can manage other users. */
export interface AdminSession extends Session {
  /**
   * Gives `user` the password, first creating it with the privileges of `model` when it does
   * not exist yet (the `_clone` of alternating users).
   */
  setCloneUserPassword(user: string, password: string, model: string): Promise<void>;
}

/** One kind of server: how to reach it and how its secrets look. */
export interface DatabaseEngine<S extends Session = Session> {
  readonly family: EngineFamily;
  /** Logs in with the secret's credentials, over TLS or not; rejects when the login fails. */
  connect(secret: DatabaseSecret, tls: boolean): Promise<S>;
  /** Whether a failed login means the server refused the credentials (not the transport). */
  isCredentialRejection(error: unknown): boolean;
}

/** An engine whose superuser can create users: what alternating users need. */
export interface AdminDatabaseEngine extends DatabaseEngine<AdminSession> {
  /** The longest username the server accepts, for `<user>_clone`. */
  maxUsernameLength(engine: string | undefined): number;
}

/**
 * Logs in as the secret says. Without an explicit `ssl`, TLS is tried first and plain
 * second, as the templates do; but credentials the server refused over TLS are not sent
 * again in the clear, since that would only expose them.
 */
export async function login<S extends Session>(engine: DatabaseEngine<S>, secret: DatabaseSecret): Promise<S> {
  if (secret.tls !== 'prefer') return engine.connect(secret, secret.tls === 'require');
  try {
    return await engine.connect(secret, true);
  } catch (error) {
    if (engine.isCredentialRejection(error)) throw error;
    return engine.connect(secret, false);
  }
}

/** Runs `work` in a session and always closes it. */
export async function withSession<S extends Session, T>(session: S, work: (session: S) => Promise<T>): Promise<T> {
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}

/** Why something failed, for a message: the error's own message, never its other fields (a driver may keep the SQL there). */
export function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Whether the server already takes the secret's password (a repeated setSecret). A login
 * the server let in without checking the password says nothing, so it does not count.
 */
export async function acceptsPassword(engine: DatabaseEngine, secret: DatabaseSecret): Promise<boolean> {
  const session = await login(engine, secret).catch(() => undefined);
  if (!session) return false;
  await session.close();
  return session.passwordVerified;
}
