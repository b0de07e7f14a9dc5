import { useEffect, useState } from 'preact/hooks';
import { jsonCall } from '../../api/json-api';
import { currentSession } from '../../api/credentials';
import { prettyJson } from '../../ui/format';
import { useAction, useAsync } from '../../ui/use-async';
import { ActionResult, ErrorNote, Field, Panel } from '../../ui/widgets';

interface Validation {
  PolicyValidationPassed: boolean;
  ValidationErrors?: { CheckName?: string; ErrorMessage?: string }[];
}

/** A starting point: the account's root may read the secret. */
function template(arn: string): string {
  const account = currentSession()?.identity.Account ?? arn.split(':')[4];
  return prettyJson(
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }],
    }),
  );
}

/**
 * The secret's resource policy, edited as JSON. Validate asks ValidateResourcePolicy (syntax, and
 * whether it grants public access); Save validates first and stores nothing that fails, then
 * PutResourcePolicy with BlockPublicPolicy, so the server refuses a public grant too.
 */
export function PolicyPanel({ arn }: { arn: string }) {
  const stored = useAsync(() => jsonCall<{ ResourcePolicy?: string }>('secretsmanager', 'GetResourcePolicy', { SecretId: arn }), [arn]);
  const [text, setText] = useState('');
  const [validation, setValidation] = useState<Validation>();
  const action = useAction();
  useEffect(() => {
    if (stored.data) setText(stored.data.ResourcePolicy ? prettyJson(stored.data.ResourcePolicy) : template(arn));
  }, [stored.data]);

  const validate = async (): Promise<Validation> => {
    const result = await jsonCall<Validation>('secretsmanager', 'ValidateResourcePolicy', { SecretId: arn, ResourcePolicy: text });
    setValidation(result);
    return result;
  };
  const save = () =>
    action.run(async () => {
      const result = await validate();
      if (!result.PolicyValidationPassed) throw new Error('The policy was not saved: it did not pass validation (see above).');
      await jsonCall('secretsmanager', 'PutResourcePolicy', { SecretId: arn, ResourcePolicy: text, BlockPublicPolicy: true });
    }, 'The resource policy was saved.', stored.reload);
  const remove = () => action.run(() => jsonCall('secretsmanager', 'DeleteResourcePolicy', { SecretId: arn }), 'The resource policy was removed.', stored.reload);

  return (
    <Panel title="Resource policy">
      <ErrorNote error={stored.error} />
      <p class="hint">{stored.data?.ResourcePolicy ? 'This secret has a resource policy.' : 'This secret has no resource policy; below is a starting point.'}</p>
      <Field label="Policy document (JSON)">
        <textarea class="code" rows={12} value={text} onInput={(e) => (setText(e.currentTarget.value), setValidation(undefined))} spellcheck={false} />
      </Field>
      <div class="row">
        <button type="button" onClick={() => action.run(validate)} disabled={action.busy}>
          Validate
        </button>
        <button type="button" class="primary" onClick={save} disabled={action.busy}>
          Save policy
        </button>
        <button type="button" onClick={remove} disabled={action.busy || !stored.data?.ResourcePolicy}>
          Delete policy
        </button>
      </div>
      {validation && (
        <div class={validation.PolicyValidationPassed ? 'note ok' : 'note error'} role="status" aria-label="Policy validation">
          {validation.PolicyValidationPassed ? (
            'Validation passed.'
          ) : (
            <ul class="validation-errors">
              {(validation.ValidationErrors ?? []).map((e, i) => (
                <li key={i}>
                  <strong>{e.CheckName}</strong>: {e.ErrorMessage}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <ActionResult action={action} />
    </Panel>
  );
}
