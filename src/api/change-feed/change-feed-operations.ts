import { ServiceError } from '../../errors/service-error.js';
import { ExpiredCursorError, InvalidCursorError, type RecordedSecretChange } from '../../storage/secret-changes.js';
import type { Handlers, RequestContext } from '../operation.js';
import { seconds } from '../epoch-seconds.js';
import { secretTargets } from '../secretsmanager/secret-authorization.js';
import type { ChangeFeedApiDeps } from './change-feed-deps.js';
import type { Operations, SecretChange } from './change-feed-model.js';

const DEFAULT_MAX_RESULTS = 100;

function secretChange(change: RecordedSecretChange): SecretChange {
  return {
    Type: change.type,
    ARN: change.arn,
    Name: change.name,
    VersionId: change.versionId,
    VersionIdsToStages: change.stages,
    DeletionDate: seconds(change.deletionDate),
    Step: change.step,
    Date: seconds(change.recordedAt),
  };
}

/**
 * Whether the caller may hear of the secret: as AWS's agent needs, it may if it may
 * DescribeSecret it (its identity policies, the secret's resource policy and tags decide).
 */
async function mayDescribe(deps: ChangeFeedApiDeps, ctx: RequestContext, arn: string): Promise<boolean> {
  const [target] = await secretTargets(deps, ctx, 'DescribeSecret', arn);
  try {
    await ctx.authorize({ ...target!, action: 'secretsmanager:DescribeSecret' });
    return true;
  } catch (error) {
    if (error instanceof ServiceError && error.code === 'AccessDeniedException') return false;
    throw error;
  }
}

/** The changes of the caller's account and region it may hear of, and of the secrets it names, if it names some. */
function visibleTo(deps: ChangeFeedApiDeps, ctx: RequestContext, secretIds: string[] | undefined) {
  const { partition, region, account } = ctx.scope;
  const prefix = `arn:${partition}:secretsmanager:${region}:${account}:secret:`;
  const named = secretIds && new Set(secretIds);
  return async (changes: RecordedSecretChange[]): Promise<RecordedSecretChange[]> => {
    const decided = new Map<string, Promise<boolean>>();
    const visible: RecordedSecretChange[] = [];
    for (const change of changes) {
      if (!change.arn.startsWith(prefix) || (named && !named.has(change.arn) && !named.has(change.name))) continue;
      let allowed = decided.get(change.arn);
      if (!allowed) decided.set(change.arn, (allowed = mayDescribe(deps, ctx, change.arn)));
      if (await allowed) visible.push(change);
    }
    return visible;
  };
}

function cursorError(error: unknown): unknown {
  if (error instanceof ExpiredCursorError) return new ServiceError('ExpiredCursorException', `${error.message}. Call again without a Cursor for a new one, and reload what you hold.`, { messageKey: 'message' });
  if (error instanceof InvalidCursorError) return new ServiceError('InvalidParameterException', `${error.message}.`, { messageKey: 'message' });
  return error;
}

/**
 * GetChanges: the changes to secrets committed after the caller's cursor (none, and the
 * cursor of now, without one), long polled for up to WaitTimeSeconds. Each call is signed,
 * authorized per secret and audited like any other; the dispatcher records it.
 */
export function changeFeedOperations(deps: ChangeFeedApiDeps): Handlers<Operations> {
  return {
    GetChanges: async (ctx, input) => {
      try {
        const { changes, cursor } = await deps.feed.read(input.Cursor, {
          limit: input.MaxResults ?? DEFAULT_MAX_RESULTS,
          waitMs: (input.WaitTimeSeconds ?? 0) * 1000,
          visible: visibleTo(deps, ctx, input.SecretIds),
        });
        return { Changes: changes.map(secretChange), NextCursor: cursor };
      } catch (error) {
        throw cursorError(error);
      }
    },
  };
}
