import { aliasArn } from '../../keys/key-admin.js';
import { emptyResponse, type OperationHandler } from '../operation.js';
import type { KmsApiDeps } from './kms-deps.js';
import { decodeMarker, listLimit, pageOf } from './kms-pagination.js';
import { aliasEntry } from './kms-shapes.js';

const DEFAULT_LIST_ALIASES_LIMIT = 50;
const MAX_LIST_ALIASES_LIMIT = 100;
/** Predefined AWS-managed aliases listed even before their key exists (then without a TargetKeyId). */
const PREDEFINED_ALIASES = ['alias/aws/secretsmanager'];

/** CreateAlias, UpdateAlias, DeleteAlias, ListAliases. */
export function aliasOperations({ keys, admin }: KmsApiDeps): Record<string, OperationHandler> {
  return {
    CreateAlias: emptyResponse((ctx, input) => admin.createAlias(ctx.scope, input.AliasName as string, input.TargetKeyId as string)),
    UpdateAlias: emptyResponse((ctx, input) => admin.updateAlias(ctx.scope, input.AliasName as string, input.TargetKeyId as string)),
    DeleteAlias: emptyResponse((ctx, input) => admin.deleteAlias(ctx.scope, input.AliasName as string)),
    ListAliases: async (ctx, input) => {
      const keyId = input.KeyId === undefined ? undefined : (await keys.resolveKeyIdOrArn(ctx.scope, input.KeyId as string)).id;
      const limit = listLimit(input.Limit, DEFAULT_LIST_ALIASES_LIMIT, MAX_LIST_ALIASES_LIMIT);
      const after = decodeMarker(input.Marker as string | undefined);
      const rows = await admin.listAliases(ctx.scope, { keyId, after, limit: limit + 1 });
      const entries: { name: string; entry: object }[] = rows.map((a) => ({ name: a.name, entry: aliasEntry(ctx.scope, a) }));
      if (keyId === undefined) {
        for (const name of PREDEFINED_ALIASES) {
          if ((after === undefined || name > after) && !rows.some((a) => a.name === name)) {
            entries.push({ name, entry: { AliasName: name, AliasArn: aliasArn(ctx.scope, name) } });
          }
        }
        entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      }
      const page = pageOf(entries, limit, (e) => e.name);
      return { Aliases: page.items.map((e) => e.entry), Truncated: page.Truncated, NextMarker: page.NextMarker };
    },
  };
}
