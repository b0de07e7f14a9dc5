/**
 * Alternating-users rotation: a superuser (the secret named by `masterarn`) sets the
 * password of whichever of `<user>` and `<user>_clone` is not current, creating the clone
 * with the user's privileges on the first rotation, so the credential clients hold keeps
 * working until the next rotation (AWS's *RotationMultiUser templates).
 */
import { acceptsPassword, login, reason, withSession, type AdminDatabaseEngine } from './database-engine.js';
import type { DatabaseSecret } from './database-secret.js';
import type { RotationScheme } from './rotation-steps.js';

const CLONE_SUFFIX = '_clone';

/** `<user>` ↔ `<user>_clone`. */
export function alternateUsername(username: string, maxLength: number): string {
  if (username.endsWith(CLONE_SUFFIX)) return username.slice(0, -CLONE_SUFFIX.length);
  const clone = username + CLONE_SUFFIX;
  if (clone.length > maxLength) {
    throw new Error(`Unable to clone user ${username}: with ${CLONE_SUFFIX} appended the username would exceed ${maxLength} characters.`);
  }
  return clone;
}

export function alternatingUsers(engine: AdminDatabaseEngine): RotationScheme {
  const alternate = (secret: DatabaseSecret) => alternateUsername(secret.username, engine.maxUsernameLength(secret.engine));
  return {
    engine,
    pendingUsername: alternate,
    setSecret: async (step) => {
      const current = await step.current();
      const pending = await step.pending();
      if (await acceptsPassword(engine, pending)) return;
      if (alternate(current) !== pending.username) {
        throw new Error(`Attempting to modify user ${pending.username} other than the current user or its clone ${current.username}.`);
      }
      if (pending.host !== current.host) {
        throw new Error(`Attempting to modify user for host ${pending.host} other than the current host ${current.host}.`);
      }

      // The superuser acts only for a secret whose own credential works: otherwise any secret
      // naming the masterarn could have a user of its choosing cloned (a confused deputy).
      const own = await login(engine, current).catch((error: unknown) => {
        throw new Error(`Unable to log into the database using the current credentials of secret ${step.arn}: ${reason(error)}`);
      });
      await own.close();

      const masterArn = current.masterarn;
      if (!masterArn) throw new Error(`Secret ${step.arn} has no masterarn: alternating users need the superuser's secret.`);
      // The superuser works in the rotated user's database.
      const master = { ...(await step.other(masterArn)), dbname: current.dbname };
      if (master.host !== current.host) {
        throw new Error(`Current database host ${current.host} is not the same host as the master secret's host ${master.host}.`);
      }
      const admin = await login(engine, master).catch((error: unknown) => {
        throw new Error(`Unable to log into the database using the credentials in master secret ${masterArn}: ${reason(error)}`);
      });
      await withSession(admin, (s) => s.setCloneUserPassword(pending.username, pending.password, current.username));
    },
  };
}
