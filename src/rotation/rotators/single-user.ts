/**
 * Single-user rotation: the user logs in and changes its own password, so the old
 * password stops working at once (AWS's *RotationSingleUser templates).
 */
import { acceptsPassword, login, reason, withSession, type DatabaseEngine, type Session } from './database-engine.js';
import type { DatabaseSecret } from './database-secret.js';
import type { RotationScheme } from './rotation-steps.js';

export function singleUser(engine: DatabaseEngine): RotationScheme {
  return {
    engine,
    pendingUsername: (current) => current.username,
    setSecret: async (step) => {
      const previous = await step.previous();
      const current = await step.current();
      const pending = await step.pending();
      if (await acceptsPassword(engine, pending)) return;
      assertSameAccount(pending, current, 'current');

      // The current password normally works; after a rotation that failed past setSecret the
      // server may still have the previous one, so the templates try that next.
      const failures: string[] = [];
      let session = await tryLogin(engine, current, 'current', failures);
      if (!session && previous) {
        const prior = { ...previous, tls: current.tls };
        assertSameAccount(pending, prior, 'previous');
        session = await tryLogin(engine, prior, 'previous', failures);
      }
      if (!session) {
        throw new Error(
          `Unable to log into the database with the previous, current, or pending secret of secret ${step.arn} (${failures.join('; ')}).`,
        );
      }
      await withSession(session, (s) => s.changeOwnPassword(pending.password));
    },
  };
}

/** The pending version may only change the password of the user and server it was made from. */
function assertSameAccount(pending: DatabaseSecret, other: DatabaseSecret, which: string): void {
  if (pending.username !== other.username) {
    throw new Error(`Attempting to modify user ${pending.username} other than the ${which} user ${other.username}.`);
  }
  if (pending.host !== other.host) {
    throw new Error(`Attempting to modify user for host ${pending.host} other than the ${which} host ${other.host}.`);
  }
}

async function tryLogin(engine: DatabaseEngine, secret: DatabaseSecret, which: string, failures: string[]): Promise<Session | undefined> {
  try {
    return await login(engine, secret);
  } catch (error) {
    failures.push(`${which}: ${reason(error)}`);
    return undefined;
  }
}
