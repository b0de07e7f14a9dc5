import { useEffect, useState } from 'preact/hooks';
import { jsonCall } from '../../api/json-api';
import type { SecretValue } from '../../api/secret-shapes';
import { useAction } from '../../ui/use-async';
import { ActionResult, Field, Panel } from '../../ui/widgets';
import type { SecretPanelProps } from './overview-panel';
import { ValueEditor } from './value-editor';

/** How long a revealed value stays on screen. */
export const REVEAL_SECONDS = 30;

/** The value's JSON object, to show as key/value pairs, or undefined for any other text. */
function jsonPairs(text: string | undefined): [string, string][] | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    return Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
  } catch {
    return undefined;
  }
}

function RevealedValue({ value }: { value: SecretValue }) {
  if (value.SecretBinary !== undefined) return <pre class="secret-value">{value.SecretBinary}</pre>;
  const pairs = jsonPairs(value.SecretString);
  if (!pairs) return <pre class="secret-value">{value.SecretString}</pre>;
  return (
    <table class="secret-value" aria-label="Secret value">
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">Value</th>
        </tr>
      </thead>
      <tbody>
        {pairs.map(([k, v]) => (
          <tr key={k}>
            <td>{k}</td>
            <td>
              <code>{v}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The value, shown only on an explicit Reveal (a GetSecretValue, recorded in the audit log like any
 * read) and hidden again after REVEAL_SECONDS, when the tab is hidden, or on leaving the page; it is
 * held only in this component's state. A new value is stored as a new version (PutSecretValue).
 */
export function ValuePanel({ secret, reload }: SecretPanelProps) {
  const versions = Object.entries(secret.VersionIdsToStages ?? {});
  const [version, setVersion] = useState('AWSCURRENT');
  const [revealed, setRevealed] = useState<{ value: SecretValue; left: number }>();
  const [newValue, setNewValue] = useState('{}');
  const [editing, setEditing] = useState(false);
  const reveal = useAction();
  const save = useAction();
  const copy = useAction();

  useEffect(() => {
    if (!revealed) return;
    const tick = setInterval(() => setRevealed((r) => (r && r.left > 1 ? { ...r, left: r.left - 1 } : undefined)), 1000);
    const hidden = () => document.hidden && setRevealed(undefined);
    document.addEventListener('visibilitychange', hidden);
    return () => {
      clearInterval(tick);
      document.removeEventListener('visibilitychange', hidden);
    };
  }, [revealed !== undefined]);

  const doReveal = () =>
    reveal.run(async () => {
      const input = version === 'AWSCURRENT' ? { SecretId: secret.ARN } : { SecretId: secret.ARN, VersionId: version };
      const value = await jsonCall<SecretValue>('secretsmanager', 'GetSecretValue', input);
      setRevealed({ value, left: REVEAL_SECONDS });
    });
  const doCopy = () =>
    copy.run(() => navigator.clipboard.writeText(revealed?.value.SecretString ?? revealed?.value.SecretBinary ?? ''), 'Copied to the clipboard.');
  const doSave = (event: Event) => {
    event.preventDefault();
    void save.run(() => jsonCall('secretsmanager', 'PutSecretValue', { SecretId: secret.ARN, SecretString: newValue, ClientRequestToken: crypto.randomUUID() }), 'A new version is now AWSCURRENT.', () => {
      setEditing(false);
      setRevealed(undefined);
      reload();
    });
  };

  return (
    <Panel title="Value">
      <div class="row">
        <Field label="Version">
          <select value={version} onChange={(e) => (setVersion(e.currentTarget.value), setRevealed(undefined))}>
            <option value="AWSCURRENT">AWSCURRENT</option>
            {versions.map(([id, stages]) => (
              <option key={id} value={id}>
                {id} {stages.length ? `(${stages.join(', ')})` : ''}
              </option>
            ))}
          </select>
        </Field>
        {revealed ? (
          <>
            <button type="button" onClick={() => setRevealed(undefined)}>
              Hide value
            </button>
            <button type="button" onClick={doCopy}>
              Copy
            </button>
          </>
        ) : (
          <button type="button" class="primary" onClick={doReveal} disabled={reveal.busy}>
            Reveal value
          </button>
        )}
        <button type="button" onClick={() => setEditing(!editing)} aria-expanded={editing}>
          New value
        </button>
      </div>
      <ActionResult action={reveal} />
      <ActionResult action={copy} />
      {revealed && (
        <div class="revealed" aria-live="polite">
          <p class="hint">
            Version {revealed.value.VersionId}. Hidden again in {revealed.left} s.
          </p>
          <RevealedValue value={revealed.value} />
        </div>
      )}
      {editing && (
        <form onSubmit={doSave} autocomplete="off" aria-label="New value">
          <ValueEditor onChange={setNewValue} />
          <button type="submit" class="primary" disabled={save.busy}>
            Save as new version
          </button>
        </form>
      )}
      <ActionResult action={save} />
    </Panel>
  );
}
