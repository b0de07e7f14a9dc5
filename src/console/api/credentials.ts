/** The signed-in person's keys and where they sign: held in memory, and in sessionStorage only if asked. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface Identity {
  Arn: string;
  Account: string;
  UserId: string;
}

export interface Session {
  credentials: Credentials;
  region: string;
  identity: Identity;
  /** Whether the keys are also kept in this tab's sessionStorage (gone when the tab closes). */
  remembered: boolean;
}

const STORAGE_KEY = 'coffer-console-session';
let current: Session | undefined;

export function currentSession(): Session | undefined {
  return current;
}

/** Starts a session; never localStorage or a cookie, which outlive the tab or travel with requests. */
export function startSession(session: Session): void {
  current = session;
  if (session.remembered) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(STORAGE_KEY);
}

/** The session this tab kept (after a reload), if the person asked for it to be kept. */
export function restoreSession(): Session | undefined {
  const kept = sessionStorage.getItem(STORAGE_KEY);
  if (!kept) return undefined;
  try {
    current = JSON.parse(kept) as Session;
  } catch {
    sessionStorage.removeItem(STORAGE_KEY);
  }
  return current;
}

/** Sign-out: the keys are forgotten everywhere the console held them. */
export function endSession(): void {
  current = undefined;
  sessionStorage.removeItem(STORAGE_KEY);
}
