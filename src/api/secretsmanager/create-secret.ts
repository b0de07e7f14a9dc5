import type { OperationHandler } from '../operation.js';
import type { CreateSecretInput } from '../../secrets/secret-types.js';
import type { SecretsApiDeps } from './deps.js';
import { withBinary } from './request-values.js';
import { newSecretTargets } from './secret-authorization.js';
import { replicationStatusShape } from './secret-shapes.js';

/** Authorized against the ARN the secret will get, which it then gets. */
export const createSecret = (deps: SecretsApiDeps): OperationHandler => async (ctx, input) => {
  const { targets, arn } = await newSecretTargets(deps, ctx, input);
  for (const target of targets) await ctx.authorize(target);
  const { replication, ...created } = await deps.secrets.create(ctx.scope, withBinary(input) as unknown as CreateSecretInput, arn);
  return { ...created, ReplicationStatus: replication?.map(replicationStatusShape) };
};
