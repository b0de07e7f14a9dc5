import { useState } from 'preact/hooks';
import { jsonCall } from '../../api/json-api';
import { useAction } from '../../ui/use-async';
import { ActionResult, Field, Panel } from '../../ui/widgets';
import { DataTable } from '../../ui/data-table';
import type { SecretPanelProps } from './overview-panel';

/** The secret's tags: added by TagResource, removed by UntagResource. */
export function TagsPanel({ secret, reload }: SecretPanelProps) {
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const action = useAction();
  const add = (event: Event) => {
    event.preventDefault();
    void action.run(() => jsonCall('secretsmanager', 'TagResource', { SecretId: secret.ARN, Tags: [{ Key: key, Value: value }] }), `Tag ${key} set.`, () => {
      setKey('');
      setValue('');
      reload();
    });
  };
  const remove = (tagKey: string) => action.run(() => jsonCall('secretsmanager', 'UntagResource', { SecretId: secret.ARN, TagKeys: [tagKey] }), `Tag ${tagKey} removed.`, reload);
  return (
    <Panel title="Tags">
      <DataTable
        label="Tags"
        rows={secret.Tags ?? []}
        rowKey={(t) => t.Key}
        empty="No tags."
        columns={[
          { title: 'Key', cell: (t) => t.Key },
          { title: 'Value', cell: (t) => t.Value },
          {
            title: 'Actions',
            hidden: true,
            cell: (t) => (
              <button type="button" onClick={() => remove(t.Key)} aria-label={`Remove tag ${t.Key}`}>
                Remove
              </button>
            ),
          },
        ]}
      />
      <form class="row" onSubmit={add} aria-label="Add a tag">
        <Field label="Tag key">
          <input value={key} onInput={(e) => setKey(e.currentTarget.value)} required spellcheck={false} />
        </Field>
        <Field label="Tag value">
          <input value={value} onInput={(e) => setValue(e.currentTarget.value)} spellcheck={false} />
        </Field>
        <button type="submit" disabled={action.busy}>
          Add tag
        </button>
      </form>
      <ActionResult action={action} />
    </Panel>
  );
}
