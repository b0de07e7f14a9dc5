import { useState } from 'preact/hooks';
import { queryCall } from '../../api/query-api';
import { useAction } from '../../ui/use-async';
import { ActionResult, Field, Panel } from '../../ui/widgets';
import { NewAccessKey } from './access-keys';
import type { AccessKey } from './iam-shapes';

const READ_SECRETS = JSON.stringify(
  { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: '*' }] },
  null,
  2,
);

/**
 * CreateUser with a policy: a managed one attached (AttachUserPolicy) or an inline one
 * (PutUserPolicy); and, if asked, an access key shown once.
 */
export function CreateUserForm({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [policyArn, setPolicyArn] = useState('');
  const [inline, setInline] = useState('');
  const [withKey, setWithKey] = useState(true);
  const [issued, setIssued] = useState<AccessKey>();
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      await queryCall('iam', 'CreateUser', { UserName: name });
      if (policyArn.trim()) await queryCall('iam', 'AttachUserPolicy', { UserName: name, PolicyArn: policyArn.trim() });
      if (inline.trim()) await queryCall('iam', 'PutUserPolicy', { UserName: name, PolicyName: 'console-inline', PolicyDocument: inline });
      if (withKey) setIssued((await queryCall<{ AccessKey: AccessKey }>('iam', 'CreateAccessKey', { UserName: name })).AccessKey);
    }, `User ${name} was created.`, onCreated);
  };
  return (
    <Panel title="Create user">
      {issued && <NewAccessKey accessKey={issued} onDone={() => setIssued(undefined)} />}
      <form onSubmit={submit} aria-label="Create user" autocomplete="off">
        <Field label="User name">
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} required spellcheck={false} />
        </Field>
        <Field label="Managed policy ARN to attach (optional)">
          <input value={policyArn} onInput={(e) => setPolicyArn(e.currentTarget.value)} spellcheck={false} placeholder="arn:aws:iam::000000000000:policy/read-secrets" />
        </Field>
        <Field label="Inline policy (optional, JSON)">
          <textarea class="code" rows={6} value={inline} onInput={(e) => setInline(e.currentTarget.value)} placeholder={READ_SECRETS} spellcheck={false} />
        </Field>
        <label class="check">
          <input type="checkbox" checked={withKey} onChange={(e) => setWithKey(e.currentTarget.checked)} /> Create an access key (shown once)
        </label>
        <button type="submit" class="primary" disabled={action.busy}>
          Create user
        </button>
      </form>
      <ActionResult action={action} />
    </Panel>
  );
}

export function CreateGroupForm({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const action = useAction();
  return (
    <Panel title="Create group">
      <form class="row" onSubmit={(e) => (e.preventDefault(), action.run(() => queryCall('iam', 'CreateGroup', { GroupName: name }), `Group ${name} was created.`, onCreated))} aria-label="Create group">
        <Field label="Group name">
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} required spellcheck={false} />
        </Field>
        <button type="submit" disabled={action.busy}>
          Create group
        </button>
      </form>
      <ActionResult action={action} />
    </Panel>
  );
}

export function CreatePolicyForm({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [policyDocument, setPolicyDocument] = useState(READ_SECRETS);
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(() => queryCall('iam', 'CreatePolicy', { PolicyName: name, PolicyDocument: policyDocument }), `Policy ${name} was created.`, onCreated);
  };
  return (
    <Panel title="Create policy">
      <form onSubmit={submit} aria-label="Create policy">
        <Field label="Policy name">
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} required spellcheck={false} />
        </Field>
        <Field label="Policy document (JSON)">
          <textarea class="code" rows={8} value={policyDocument} onInput={(e) => setPolicyDocument(e.currentTarget.value)} required spellcheck={false} />
        </Field>
        <button type="submit" disabled={action.busy}>
          Create policy
        </button>
      </form>
      <ActionResult action={action} />
    </Panel>
  );
}
