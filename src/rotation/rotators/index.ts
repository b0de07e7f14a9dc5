/** The rotators Coffer runs in-process, each mirroring one of AWS's rotation templates. */
import type { RotationFunctionKind, SecretsPort, StepInvoker } from '../rotation-function.js';
import { alternatingUsers } from './alternating-users.js';
import { mysqlEngine } from './mysql-rotator.js';
import { postgresEngine } from './postgres-rotator.js';
import { redisEngine } from './redis-rotator.js';
import { rotationSteps, type RotationScheme } from './rotation-steps.js';
import { singleUser } from './single-user.js';

const SCHEMES: Partial<Record<RotationFunctionKind, RotationScheme>> = {
  'postgresql-single-user': singleUser(postgresEngine),
  'postgresql-alternating-users': alternatingUsers(postgresEngine),
  'mysql-single-user': singleUser(mysqlEngine),
  'mysql-alternating-users': alternatingUsers(mysqlEngine),
  'redis-single-user': singleUser(redisEngine),
};

/** The step invoker of a built-in kind; `webhook` and `command` are run by invokers of their own. */
export function builtInRotator(kind: RotationFunctionKind, secrets: SecretsPort): StepInvoker {
  const scheme = SCHEMES[kind];
  if (!scheme) throw new Error(`${kind} is not a built-in rotator.`);
  return rotationSteps(secrets, scheme);
}
