import { useState } from 'preact/hooks';
import { jsonCall } from '../../api/json-api';
import { formatTime } from '../../ui/format';
import { go, href } from '../../ui/router';
import { useAction, useAsync } from '../../ui/use-async';
import { usePages } from '../../ui/use-pages';
import { ActionResult, ErrorNote, Field, Pager, Panel } from '../../ui/widgets';
import { DataTable } from '../../ui/data-table';
import type { Alias, KeyMetadata } from './kms-shapes';

const PAGE = 20;

/** One page of keys (ListKeys) described one by one, with their aliases. */
async function keyPage(marker: string | undefined): Promise<{ keys: KeyMetadata[]; aliases: Alias[]; next?: string }> {
  const listed = await jsonCall<{ Keys: { KeyId: string }[]; NextMarker?: string; Truncated?: boolean }>('kms', 'ListKeys', { Limit: PAGE, ...(marker ? { Marker: marker } : {}) });
  const [keys, aliases] = await Promise.all([
    Promise.all(listed.Keys.map((k) => jsonCall<{ KeyMetadata: KeyMetadata }>('kms', 'DescribeKey', { KeyId: k.KeyId }).then((d) => d.KeyMetadata))),
    jsonCall<{ Aliases: Alias[] }>('kms', 'ListAliases', { Limit: 100 }).then((a) => a.Aliases),
  ]);
  return { keys, aliases, next: listed.Truncated ? listed.NextMarker : undefined };
}

/** KMS keys with their aliases and state; a new key (CreateKey, and CreateAlias when named). */
export function KeysPage() {
  const pages = usePages();
  const keys = useAsync(() => keyPage(pages.token), [pages.token]);
  const [description, setDescription] = useState('');
  const [alias, setAlias] = useState('');
  const action = useAction();
  const create = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      const created = await jsonCall<{ KeyMetadata: KeyMetadata }>('kms', 'CreateKey', { Description: description });
      if (alias.trim()) await jsonCall('kms', 'CreateAlias', { AliasName: alias.trim().startsWith('alias/') ? alias.trim() : `alias/${alias.trim()}`, TargetKeyId: created.KeyMetadata.KeyId });
      go('key', created.KeyMetadata.KeyId);
    });
  };
  const aliasesOf = (keyId: string) => (keys.data?.aliases ?? []).filter((a) => a.TargetKeyId === keyId).map((a) => a.AliasName);
  return (
    <div>
      <h1>KMS keys</h1>
      <ErrorNote error={keys.error} />
      <DataTable
        label="KMS keys"
        rows={keys.data?.keys}
        loading={keys.loading}
        rowKey={(k) => k.KeyId}
        columns={[
          {
            title: 'Key',
            cell: (k) => (
              <a href={href('key', k.KeyId)}>
                <code>{k.KeyId}</code>
              </a>
            ),
          },
          { title: 'Aliases', cell: (k) => aliasesOf(k.KeyId).join(', ') },
          { title: 'State', cell: (k) => <span class={k.KeyState === 'Enabled' ? 'badge' : 'badge danger'}>{k.KeyState}</span> },
          { title: 'Description', cell: (k) => k.Description },
          { title: 'Created', cell: (k) => formatTime(k.CreationDate) },
        ]}
      />
      <Pager label="Keys" page={pages.page} hasNext={!!keys.data?.next} onPrevious={pages.previous} onNext={() => keys.data?.next && pages.next(keys.data.next)} />
      <Panel title="Create key">
        <form class="row" onSubmit={create} aria-label="Create key">
          <Field label="Description">
            <input value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
          </Field>
          <Field label="Alias (optional)">
            <input value={alias} onInput={(e) => setAlias(e.currentTarget.value)} placeholder="alias/prod-secrets" spellcheck={false} />
          </Field>
          <button type="submit" class="primary" disabled={action.busy}>
            Create key
          </button>
        </form>
        <ActionResult action={action} />
      </Panel>
    </div>
  );
}
