import { useState } from 'preact/hooks';
import { jsonCall } from '../../api/json-api';
import { formatTime } from '../../ui/format';
import { useAction } from '../../ui/use-async';
import { ActionResult, Field, Panel } from '../../ui/widgets';
import type { SecretPanelProps } from './overview-panel';

/** DeleteSecret with a recovery window (7–30 days), and RestoreSecret while the window lasts. */
export function DeletionPanel({ secret, reload }: SecretPanelProps) {
  const [days, setDays] = useState('30');
  const [sure, setSure] = useState(false);
  const action = useAction();
  if (secret.DeletedDate !== undefined) {
    return (
      <Panel title="Deletion">
        <p>Deletion is scheduled: the secret is deleted for good on or after {formatTime(secret.DeletedDate)}. Until then it can be restored.</p>
        <button type="button" class="primary" onClick={() => action.run(() => jsonCall('secretsmanager', 'RestoreSecret', { SecretId: secret.ARN }), 'The secret was restored.', reload)} disabled={action.busy}>
          Restore secret
        </button>
        <ActionResult action={action} />
      </Panel>
    );
  }
  const schedule = (event: Event) => {
    event.preventDefault();
    void action.run(() => jsonCall('secretsmanager', 'DeleteSecret', { SecretId: secret.ARN, RecoveryWindowInDays: Number(days) }), 'Deletion is scheduled.', reload);
  };
  return (
    <Panel title="Deletion">
      <form class="row" onSubmit={schedule} aria-label="Schedule deletion">
        <Field label="Recovery window (days)">
          <input type="number" min={7} max={30} value={days} onInput={(e) => setDays(e.currentTarget.value)} required />
        </Field>
        <label class="check">
          <input type="checkbox" checked={sure} onChange={(e) => setSure(e.currentTarget.checked)} /> Every version will be deleted after the window
        </label>
        <button type="submit" class="danger" disabled={action.busy || !sure}>
          Schedule deletion
        </button>
      </form>
      <ActionResult action={action} />
    </Panel>
  );
}
