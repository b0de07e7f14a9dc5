import { aliasArn } from '../../keys/key-admin.js';
import { emptyResponse, type Handlers } from '../operation.js';
import type { KmsApiDeps } from './kms-deps.js';
import { decodeMarker, listLimit, pageOf } from './kms-pagination.js';
import { aliasEntry } from './kms-responses.js';
import type { AliasListEntry, Operations } from './types.generated.js';

const DEFAULT_LIST_ALIASES_LIMIT = 50;
const MAX_LIST_ALIASES_LIMIT = 100;
/** Predefined AWS-managed aliases listed even before their key exists (then without a TargetKeyId). */
const PREDEFINED_ALIASES = ['alias/aws/secretsmanager'];

/** CreateAlias, UpdateAlias, DeleteAlias, ListAliases. */
export function aliasOperations({ keys, admin }: KmsApiDeps): Handlers<Operations> {
  return {
    CreateAlias: emptyResponse((ctx, input) => admin.createAlias(ctx.scope, input.AliasName, input.TargetKeyId)),
    UpdateAlias: emptyResponse((ctx, input) => admin.updateAlias(ctx.scope, input.AliasName, input.TargetKeyId)),
    DeleteAlias: emptyResponse((ctx, input) => admin.deleteAlias(ctx.scope, input.AliasName)),
    ListAliases: async (ctx, input) => {
      const keyId = input.KeyId === undefined ? undefined : (await keys.resolveKeyIdOrArn(ctx.scope, input.KeyId)).id;
      const limit = listLimit(input.Limit, DEFAULT_LIST_ALIASES_LIMIT, MAX_LIST_ALIASES_LIMIT);
      const after = decodeMarker(input.Marker);
      const rows = await admin.listAliases(ctx.scope, { keyId, after, limit: limit + 1 });
      const entries: { name: string; entry: AliasListEntry }[] = rows.map((a) => ({ name: a.name, entry: aliasEntry(ctx.scope, a) }));
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
