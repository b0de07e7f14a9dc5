import { useState } from 'preact/hooks';
import { jsonCall } from '../../api/json-api';
import { go, href } from '../../ui/router';
import { useAction } from '../../ui/use-async';
import { ActionResult, Field } from '../../ui/widgets';
import { KmsKeyChoice } from '../keys/kms-key-choice';
import { ValueEditor } from './value-editor';

/** Tags typed as `key=value`, one a line. */
export function parseTags(text: string): { Key: string; Value: string }[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const at = line.indexOf('=');
      return at < 0 ? { Key: line, Value: '' } : { Key: line.slice(0, at).trim(), Value: line.slice(at + 1).trim() };
    });
}

/** CreateSecret: a name, a value, and optionally a description, a KMS key and tags. */
export function CreateSecretPage() {
  const [value, setValue] = useState('{}');
  const [kmsKeyId, setKmsKeyId] = useState('');
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const tags = parseTags(text('tags'));
    void action.run(async () => {
      const created = await jsonCall<{ ARN: string }>('secretsmanager', 'CreateSecret', {
        Name: text('name'),
        SecretString: value,
        ClientRequestToken: crypto.randomUUID(),
        ...(text('description') ? { Description: text('description') } : {}),
        ...(kmsKeyId ? { KmsKeyId: kmsKeyId } : {}),
        ...(tags.length ? { Tags: tags } : {}),
      });
      go('secret', created.ARN);
    });
  };
  return (
    <div>
      <p class="crumbs">
        <a href={href('secrets')}>Secrets</a> /
      </p>
      <h1>Create secret</h1>
      <form class="card" onSubmit={submit} autocomplete="off" aria-label="Create secret">
        <Field label="Name" hint="Letters, digits and /_+=.@- ; for example prod/db">
          <input name="name" required spellcheck={false} />
        </Field>
        <Field label="Description">
          <input name="description" />
        </Field>
        <ValueEditor onChange={setValue} />
        <KmsKeyChoice value={kmsKeyId} onChange={setKmsKeyId} />
        <Field label="Tags" hint="One key=value a line">
          <textarea name="tags" rows={3} spellcheck={false} />
        </Field>
        <button type="submit" class="primary" disabled={action.busy}>
          Create secret
        </button>
        <ActionResult action={action} />
      </form>
    </div>
  );
}
