import { useState } from 'preact/hooks';
import { listOf, queryCall } from '../../api/query-api';
import { policyText } from '../../ui/format';
import { href } from '../../ui/router';
import { useAction, useAsync } from '../../ui/use-async';
import { ActionResult, ErrorNote, Field, Panel } from '../../ui/widgets';
import type { PolicyHolder } from './iam-shapes';

interface Policies {
  attached: { PolicyName: string; PolicyArn: string }[];
  inline: string[];
}

async function policiesOf(kind: PolicyHolder, name: string): Promise<Policies> {
  const id = { [`${kind}Name`]: name };
  const [attached, inline] = await Promise.all([queryCall(`iam`, `ListAttached${kind}Policies`, id), queryCall('iam', `List${kind}Policies`, id)]);
  return { attached: listOf(attached.AttachedPolicies), inline: listOf<string>(inline.PolicyNames) };
}

/** A user's, group's or role's policies: managed ones attached or detached, inline ones read, put or deleted. */
export function AttachedPolicies({ kind, name }: { kind: PolicyHolder; name: string }) {
  const policies = useAsync(() => policiesOf(kind, name), [kind, name]);
  const [policyArn, setPolicyArn] = useState('');
  const [inlineName, setInlineName] = useState('');
  const [policyDocument, setPolicyDocument] = useState('');
  const action = useAction();
  const id = { [`${kind}Name`]: name };
  const call = (verb: string, params: Record<string, string>, done: string) => action.run(() => queryCall('iam', `${verb}${kind}Policy`, { ...id, ...params }), done, policies.reload);
  const show = (policyName: string) =>
    action.run(async () => {
      const got = await queryCall<{ PolicyDocument: string }>('iam', `Get${kind}Policy`, { ...id, PolicyName: policyName });
      setInlineName(policyName);
      setPolicyDocument(policyText(got.PolicyDocument));
    });
  return (
    <Panel title="Policies">
      <ErrorNote error={policies.error} />
      <h3>Managed policies</h3>
      <ul class="plain">
        {(policies.data?.attached ?? []).map((p) => (
          <li key={p.PolicyArn}>
            <a href={href('iam', 'policy', p.PolicyArn)}>{p.PolicyName}</a>{' '}
            <button type="button" onClick={() => call('Detach', { PolicyArn: p.PolicyArn }, `${p.PolicyName} detached.`)} aria-label={`Detach ${p.PolicyName}`}>
              Detach
            </button>
          </li>
        ))}
        {policies.data?.attached.length === 0 && <li>None.</li>}
      </ul>
      <form class="row" onSubmit={(e) => (e.preventDefault(), call('Attach', { PolicyArn: policyArn.trim() }, 'Policy attached.'))} aria-label="Attach a managed policy">
        <Field label="Policy ARN">
          <input value={policyArn} onInput={(e) => setPolicyArn(e.currentTarget.value)} required spellcheck={false} placeholder="arn:aws:iam::000000000000:policy/read-secrets" />
        </Field>
        <button type="submit" disabled={action.busy}>
          Attach policy
        </button>
      </form>
      <h3>Inline policies</h3>
      <ul class="plain">
        {(policies.data?.inline ?? []).map((p) => (
          <li key={p}>
            <button type="button" class="link" onClick={() => show(p)}>
              {p}
            </button>{' '}
            <button type="button" onClick={() => call('Delete', { PolicyName: p }, `${p} deleted.`)} aria-label={`Delete inline policy ${p}`}>
              Delete
            </button>
          </li>
        ))}
        {policies.data?.inline.length === 0 && <li>None.</li>}
      </ul>
      <form onSubmit={(e) => (e.preventDefault(), call('Put', { PolicyName: inlineName, PolicyDocument: policyDocument }, `${inlineName} saved.`))} aria-label="Put an inline policy">
        <Field label="Inline policy name">
          <input value={inlineName} onInput={(e) => setInlineName(e.currentTarget.value)} required spellcheck={false} />
        </Field>
        <Field label="Inline policy document (JSON)">
          <textarea class="code" rows={8} value={policyDocument} onInput={(e) => setPolicyDocument(e.currentTarget.value)} required spellcheck={false} />
        </Field>
        <button type="submit" disabled={action.busy}>
          Save inline policy
        </button>
      </form>
      <ActionResult action={action} />
    </Panel>
  );
}
