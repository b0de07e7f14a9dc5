import { useState } from 'preact/hooks';
import { jsonCall } from '../../api/json-api';
import { lastRotationFailure } from '../../api/rotation-failures';
import type { RotationRules } from '../../api/secret-shapes';
import { formatTime } from '../../ui/format';
import { useAction, useAsync } from '../../ui/use-async';
import { ActionResult, ErrorNote, Facts, Field, Panel } from '../../ui/widgets';
import type { SecretPanelProps } from './overview-panel';

function schedule(rules: RotationRules | undefined): string | undefined {
  if (!rules) return undefined;
  const every = rules.ScheduleExpression ?? (rules.AutomaticallyAfterDays ? `every ${rules.AutomaticallyAfterDays} days` : undefined);
  return every && (rules.Duration ? `${every}, within ${rules.Duration}` : every);
}

/** Registered rotation functions, for the picker: the listing is for the account's root, so others type the ARN. */
function useRotationFunctions() {
  return useAsync(() => jsonCall<{ Functions: { FunctionArn: string; FunctionName: string }[] }>('rotationFunctions', 'ListRotationFunctions').catch(() => ({ Functions: [] })), []);
}

/**
 * Rotation: the schedule, the last and next rotation, a rotation left unfinished (AWSPENDING on
 * another version than AWSCURRENT), and the last failure with its step and reason (from the audit
 * log's RotationFailed events). Configure (RotateSecret with a function and rules), rotate now, or
 * cancel (CancelRotateSecret).
 */
export function RotationPanel({ secret, reload }: SecretPanelProps) {
  const failure = useAsync(() => lastRotationFailure(secret.ARN), [secret]);
  const functions = useRotationFunctions();
  const [functionArn, setFunctionArn] = useState(secret.RotationLambdaARN ?? '');
  const [every, setEvery] = useState(secret.RotationRules?.ScheduleExpression ?? String(secret.RotationRules?.AutomaticallyAfterDays ?? 30));
  const [immediately, setImmediately] = useState(true);
  const action = useAction();
  const stages = Object.entries(secret.VersionIdsToStages ?? {});
  const pending = stages.find(([, s]) => s.includes('AWSPENDING') && !s.includes('AWSCURRENT'))?.[0];
  const f = failure.data;
  const unresolved = f !== undefined && (secret.LastRotatedDate === undefined || f.time > secret.LastRotatedDate);

  const configure = (event: Event) => {
    event.preventDefault();
    const rules = /^\d+$/.test(every.trim()) ? { AutomaticallyAfterDays: Number(every) } : { ScheduleExpression: every.trim() };
    const input = { SecretId: secret.ARN, ClientRequestToken: crypto.randomUUID(), RotationLambdaARN: functionArn.trim(), RotationRules: rules, RotateImmediately: immediately };
    void action.run(() => jsonCall('secretsmanager', 'RotateSecret', input), immediately ? 'Rotation configured and started.' : 'Rotation configured; the function is being tested (testSecret).', reload);
  };
  const rotateNow = () => action.run(() => jsonCall('secretsmanager', 'RotateSecret', { SecretId: secret.ARN, ClientRequestToken: crypto.randomUUID() }), 'Rotation started.', reload);
  const cancel = () => action.run(() => jsonCall('secretsmanager', 'CancelRotateSecret', { SecretId: secret.ARN }), 'Rotation is off.', reload);

  return (
    <Panel
      title="Rotation"
      actions={
        <>
          <button type="button" onClick={rotateNow} disabled={action.busy || !secret.RotationLambdaARN}>
            Rotate now
          </button>
          <button type="button" onClick={cancel} disabled={action.busy || !secret.RotationEnabled}>
            Cancel rotation
          </button>
        </>
      }
    >
      <Facts
        rows={[
          ['Rotation', secret.RotationEnabled ? 'enabled' : 'disabled'],
          ['Function', secret.RotationLambdaARN && <code>{secret.RotationLambdaARN}</code>],
          ['Schedule', schedule(secret.RotationRules)],
          ['Last rotated', formatTime(secret.LastRotatedDate)],
          ['Next rotation', secret.RotationEnabled ? formatTime(secret.NextRotationDate) : undefined],
        ]}
      />
      {pending && (
        <div class="note warn" role="status">
          A rotation is running or did not finish: AWSPENDING is on version <code>{pending}</code>.
        </div>
      )}
      <ErrorNote error={failure.error} />
      {f && (
        <div class={unresolved ? 'note error rotation-failure' : 'note rotation-failure'} role={unresolved ? 'alert' : 'status'}>
          <strong>{f.test ? 'The rotation function failed its test (RotateImmediately=false)' : unresolved ? 'Last rotation failed' : 'An earlier rotation failed (a later one succeeded)'}</strong> at {formatTime(f.time)}
          <dl class="facts">
            <div>
              <dt>Step</dt>
              <dd class="failure-step">{f.step ?? 'unknown'}</dd>
            </div>
            <div>
              <dt>Reason</dt>
              <dd class="failure-reason">{f.reason}</dd>
            </div>
          </dl>
        </div>
      )}
      <form class="row" onSubmit={configure} aria-label="Configure rotation">
        <Field label="Rotation function ARN">
          <input list="rotation-functions" value={functionArn} onInput={(e) => setFunctionArn(e.currentTarget.value)} required spellcheck={false} />
          <datalist id="rotation-functions">
            {(functions.data?.Functions ?? []).map((fn) => (
              <option key={fn.FunctionArn} value={fn.FunctionArn}>
                {fn.FunctionName}
              </option>
            ))}
          </datalist>
        </Field>
        <Field label="Every (days, or rate(...) / cron(...))">
          <input value={every} onInput={(e) => setEvery(e.currentTarget.value)} required spellcheck={false} />
        </Field>
        <label class="check">
          <input type="checkbox" checked={immediately} onChange={(e) => setImmediately(e.currentTarget.checked)} /> Rotate immediately
        </label>
        <button type="submit" disabled={action.busy}>
          Save rotation
        </button>
      </form>
      <ActionResult action={action} />
    </Panel>
  );
}
