import { useEffect, useState } from 'preact/hooks';
import { jsonCall } from '../../api/json-api';
import { formatTime, prettyJson } from '../../ui/format';
import { href } from '../../ui/router';
import { useAction, useAsync } from '../../ui/use-async';
import { ActionResult, ErrorNote, Facts, Field, Loading, Panel } from '../../ui/widgets';
import type { Alias, KeyMetadata } from './kms-shapes';

interface KeyDetails {
  key: KeyMetadata;
  rotation: { KeyRotationEnabled: boolean; RotationPeriodInDays?: number; NextRotationDate?: number };
  policy: string;
  aliases: Alias[];
}

async function keyDetails(keyId: string): Promise<KeyDetails> {
  const [described, rotation, policy, aliases] = await Promise.all([
    jsonCall<{ KeyMetadata: KeyMetadata }>('kms', 'DescribeKey', { KeyId: keyId }),
    jsonCall<KeyDetails['rotation']>('kms', 'GetKeyRotationStatus', { KeyId: keyId }),
    jsonCall<{ Policy: string }>('kms', 'GetKeyPolicy', { KeyId: keyId, PolicyName: 'default' }),
    jsonCall<{ Aliases: Alias[] }>('kms', 'ListAliases', { KeyId: keyId }),
  ]);
  return { key: described.KeyMetadata, rotation, policy: policy.Policy, aliases: aliases.Aliases };
}

/** A KMS key: state, aliases, automatic rotation, key policy; enable, disable, rotate, schedule or cancel deletion. */
export function KeyPage({ keyId }: { keyId: string }) {
  const details = useAsync(() => keyDetails(keyId), [keyId]);
  const [policy, setPolicy] = useState('');
  const [days, setDays] = useState('30');
  const action = useAction();
  useEffect(() => {
    if (details.data) setPolicy(prettyJson(details.data.policy));
  }, [details.data]);
  const call = (operation: string, input: object, done: string) => () => action.run(() => jsonCall('kms', operation, { KeyId: keyId, ...input }), done, details.reload);
  const d = details.data;
  return (
    <div>
      <p class="crumbs">
        <a href={href('keys')}>KMS keys</a> /
      </p>
      <h1>Key {keyId}</h1>
      <ErrorNote error={details.error} />
      <ActionResult action={action} />
      {!d ? (
        details.loading && <Loading what="the key" />
      ) : (
        <div class="panels">
          <Panel
            title="Key"
            actions={
              d.key.KeyState === 'PendingDeletion' ? (
                <button type="button" onClick={call('CancelKeyDeletion', {}, 'Deletion cancelled; the key is disabled until enabled again.')}>
                  Cancel deletion
                </button>
              ) : d.key.Enabled ? (
                <button type="button" onClick={call('DisableKey', {}, 'The key is disabled.')}>
                  Disable key
                </button>
              ) : (
                <button type="button" onClick={call('EnableKey', {}, 'The key is enabled.')}>
                  Enable key
                </button>
              )
            }
          >
            <Facts
              rows={[
                ['ARN', <code>{d.key.Arn}</code>],
                ['State', d.key.KeyState],
                ['Aliases', d.aliases.map((a) => a.AliasName).join(', ') || undefined],
                ['Description', d.key.Description],
                ['Created', formatTime(d.key.CreationDate)],
                ...(d.key.DeletionDate ? ([['Deleted on', formatTime(d.key.DeletionDate)]] as [string, string][]) : []),
              ]}
            />
          </Panel>
          <Panel
            title="Automatic rotation"
            actions={
              <>
                {d.rotation.KeyRotationEnabled ? (
                  <button type="button" onClick={call('DisableKeyRotation', {}, 'Automatic rotation is off.')}>
                    Disable rotation
                  </button>
                ) : (
                  <button type="button" onClick={call('EnableKeyRotation', {}, 'Automatic rotation is on.')}>
                    Enable rotation
                  </button>
                )}
                <button type="button" onClick={call('RotateKeyOnDemand', {}, 'New key material was added.')}>
                  Rotate now
                </button>
              </>
            }
          >
            <Facts
              rows={[
                ['Rotation', d.rotation.KeyRotationEnabled ? 'enabled' : 'disabled'],
                ['Period', d.rotation.RotationPeriodInDays ? `${d.rotation.RotationPeriodInDays} days` : undefined],
                ['Next rotation', d.rotation.NextRotationDate ? formatTime(d.rotation.NextRotationDate) : undefined],
              ]}
            />
          </Panel>
          <Panel title="Key policy">
            <Field label="Key policy (JSON)">
              <textarea class="code" rows={12} value={policy} onInput={(e) => setPolicy(e.currentTarget.value)} spellcheck={false} />
            </Field>
            <button type="button" onClick={call('PutKeyPolicy', { PolicyName: 'default', Policy: policy }, 'The key policy was saved.')}>
              Save key policy
            </button>
          </Panel>
          {d.key.KeyState !== 'PendingDeletion' && (
            <Panel title="Deletion">
              <div class="row">
                <Field label="Waiting period (days)">
                  <input type="number" min={7} max={30} value={days} onInput={(e) => setDays(e.currentTarget.value)} />
                </Field>
                <button type="button" class="danger" onClick={call('ScheduleKeyDeletion', { PendingWindowInDays: Number(days) }, 'Deletion is scheduled.')}>
                  Schedule key deletion
                </button>
              </div>
            </Panel>
          )}
        </div>
      )}
    </div>
  );
}
