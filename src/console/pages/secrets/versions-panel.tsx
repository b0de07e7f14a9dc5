import { useState } from 'preact/hooks';
import { jsonCall } from '../../api/json-api';
import type { SecretVersion } from '../../api/secret-shapes';
import { formatTime } from '../../ui/format';
import { useAction, useAsync } from '../../ui/use-async';
import { ActionResult, ErrorNote, Field, Panel } from '../../ui/widgets';
import { DataTable } from '../../ui/data-table';
import type { SecretPanelProps } from './overview-panel';

/** The versions and their staging labels (ListSecretVersionIds); a label moved by UpdateSecretVersionStage. */
export function VersionsPanel({ secret, reload }: SecretPanelProps) {
  const versions = useAsync(
    () => jsonCall<{ Versions: SecretVersion[] }>('secretsmanager', 'ListSecretVersionIds', { SecretId: secret.ARN, IncludeDeprecated: true, MaxResults: 100 }),
    [secret],
  );
  const [label, setLabel] = useState('AWSCURRENT');
  const [target, setTarget] = useState('');
  const action = useAction();
  const list = versions.data?.Versions ?? [];
  const holder = list.find((v) => v.VersionStages?.includes(label.trim()))?.VersionId;
  const labels = [...new Set(['AWSCURRENT', 'AWSPREVIOUS', 'AWSPENDING', ...list.flatMap((v) => v.VersionStages ?? [])])];
  const move = (event: Event) => {
    event.preventDefault();
    const input = { SecretId: secret.ARN, VersionStage: label.trim(), ...(target ? { MoveToVersionId: target } : {}), ...(holder ? { RemoveFromVersionId: holder } : {}) };
    void action.run(() => jsonCall('secretsmanager', 'UpdateSecretVersionStage', input), target ? `${label} is now on ${target}.` : `${label} was removed.`, reload);
  };
  return (
    <Panel title="Versions and staging labels">
      <ErrorNote error={versions.error} />
      <DataTable
        label="Versions"
        rows={versions.data?.Versions}
        loading={versions.loading}
        rowKey={(v) => v.VersionId}
        columns={[
          { title: 'Version', cell: (v) => <code>{v.VersionId}</code> },
          {
            title: 'Staging labels',
            cell: (v) =>
              (v.VersionStages ?? []).map((s) => (
                <span key={s} class="badge">
                  {s}
                </span>
              )),
          },
          { title: 'Created', cell: (v) => formatTime(v.CreatedDate) },
          { title: 'Last accessed', cell: (v) => formatTime(v.LastAccessedDate) },
        ]}
      />
      <form class="row" onSubmit={move} aria-label="Move a staging label">
        <Field label="Label">
          <input list="stage-labels" value={label} onInput={(e) => setLabel(e.currentTarget.value)} required spellcheck={false} />
          <datalist id="stage-labels">
            {labels.map((l) => (
              <option key={l} value={l} />
            ))}
          </datalist>
        </Field>
        <Field label="Move to version">
          <select value={target} onChange={(e) => setTarget(e.currentTarget.value)}>
            <option value="">(remove the label)</option>
            {list.map((v) => (
              <option key={v.VersionId} value={v.VersionId}>
                {v.VersionId}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" disabled={action.busy}>
          {target ? 'Move label' : 'Remove label'}
        </button>
      </form>
      <ActionResult action={action} />
    </Panel>
  );
}
