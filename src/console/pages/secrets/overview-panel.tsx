import { useState } from 'preact/hooks';
import { jsonCall } from '../../api/json-api';
import type { SecretDescription } from '../../api/secret-shapes';
import { formatTime } from '../../ui/format';
import { href } from '../../ui/router';
import { useAction } from '../../ui/use-async';
import { ActionResult, Facts, Field, Panel } from '../../ui/widgets';
import { KmsKeyChoice } from '../keys/kms-key-choice';

export interface SecretPanelProps {
  secret: SecretDescription;
  reload: () => void;
}

/** The key a secret's versions are encrypted under, linked to its page when it is a customer key. */
function KeyLink({ keyId }: { keyId?: string }) {
  if (!keyId) return <span>aws/secretsmanager (default)</span>;
  const id = /key\/([\w-]+)$/.exec(keyId)?.[1];
  return id ? <a href={href('key', id)}>{keyId}</a> : <span>{keyId}</span>;
}

/** The secret's metadata, with its description and KMS key changed by UpdateSecret. */
export function OverviewPanel({ secret, reload }: SecretPanelProps) {
  const [description, setDescription] = useState(secret.Description ?? '');
  const [kmsKeyId, setKmsKeyId] = useState('');
  const action = useAction();
  const update = (input: object, done: string) => (event: Event) => {
    event.preventDefault();
    void action.run(() => jsonCall('secretsmanager', 'UpdateSecret', { SecretId: secret.ARN, ...input }), done, reload);
  };
  return (
    <Panel title="Overview">
      <Facts
        rows={[
          ['ARN', <code>{secret.ARN}</code>],
          ['Description', secret.Description],
          ['KMS key', <KeyLink keyId={secret.KmsKeyId} />],
          ['Created', formatTime(secret.CreatedDate)],
          ['Last changed', formatTime(secret.LastChangedDate)],
          ['Last accessed', formatTime(secret.LastAccessedDate)],
          ...(secret.DeletedDate !== undefined ? ([['Deletion scheduled', formatTime(secret.DeletedDate)]] as [string, string][]) : []),
        ]}
      />
      <div class="inline-forms">
        <form onSubmit={update({ Description: description }, 'The description was changed.')} aria-label="Change description">
          <Field label="New description">
            <input value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
          </Field>
          <button type="submit" disabled={action.busy}>
            Save description
          </button>
        </form>
        <form onSubmit={update({ KmsKeyId: kmsKeyId }, 'The KMS key was changed; current versions were re-wrapped under it.')} aria-label="Change KMS key">
          <KmsKeyChoice value={kmsKeyId} onChange={setKmsKeyId} />
          <button type="submit" disabled={action.busy || !kmsKeyId}>
            Change key
          </button>
        </form>
      </div>
      <ActionResult action={action} />
    </Panel>
  );
}
